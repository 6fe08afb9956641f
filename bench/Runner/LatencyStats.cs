namespace DosAi.Orleans.Bench.Runner;

/// <summary>Exact percentiles (nearest rank) over every answered request; failures and non-2xx are counted, not timed.</summary>
public sealed record LatencyStats(int NotOk, int Failed, double P50Ms, double P99Ms, double P999Ms)
{
    public static LatencyStats From(IReadOnlyList<Exchange> exchanges)
    {
        var ok = exchanges.Where(e => e.Status is >= 200 and < 300).Select(e => e.Milliseconds).Order().ToArray();
        var failed = exchanges.Count(e => e.Status == 0);
        return new LatencyStats(
            exchanges.Count - ok.Length - failed,
            failed,
            NearestRank(ok, 0.50),
            NearestRank(ok, 0.99),
            NearestRank(ok, 0.999));
    }

    /// <summary>The exact percentile of ascending <paramref name="sorted"/> values (nearest rank).</summary>
    public static double NearestRank(double[] sorted, double quantile) =>
        sorted.Length == 0 ? double.NaN : sorted[Math.Max(0, (int)Math.Ceiling(quantile * sorted.Length) - 1)];
}
