using System.Globalization;

namespace DosAi.Orleans.Bench.GcPauses;

/// <summary>One request of a bench latency CSV, placed in UTC by the <c>.start</c> file beside it.</summary>
public readonly record struct LoggedRequest(DateTime SentUtc, double LatencyMs, int Status)
{
    /// <summary>Timed in the bench's percentiles (failures and non-2xx are only counted there).</summary>
    public bool Answered => Status is >= 200 and < 300;

    public DateTime AnsweredUtc => SentUtc.AddMilliseconds(LatencyMs);
}

/// <summary>Reads <c>latency-&lt;peer&gt;-round&lt;N&gt;-&lt;rate&gt;.csv</c> as the bench runner writes it (sent offset, latency, status, key).</summary>
public static class LatencyLog
{
    public static IReadOnlyList<LoggedRequest> Read(string csvPath)
    {
        var start = DateTime.Parse(File.ReadAllText(csvPath + ".start").Trim(), CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind);
        return File.ReadLines(csvPath)
            .Skip(1)
            .Select(line => line.Split(','))
            .Select(fields => new LoggedRequest(
                start.AddMilliseconds(double.Parse(fields[0], CultureInfo.InvariantCulture)),
                double.Parse(fields[1], CultureInfo.InvariantCulture),
                int.Parse(fields[2], CultureInfo.InvariantCulture)))
            .ToList();
    }
}
