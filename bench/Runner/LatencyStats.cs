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
            Percentile(ok, 0.50),
            Percentile(ok, 0.99),
            Percentile(ok, 0.999));
    }

    private static double Percentile(double[] sorted, double quantile) =>
        sorted.Length == 0 ? double.NaN : sorted[Math.Max(0, (int)Math.Ceiling(quantile * sorted.Length) - 1)];
}
