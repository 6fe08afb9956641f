using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace DosAi.Orleans.Bench.Runner;

/// <summary>
/// Every request of a latency run as CSV (sent offset, latency, status, key), so a tail can be traced
/// to moments (a periodic stall) or spread evenly (a slower path) after the run; a <c>.start</c> file beside
/// it holds the UTC time of its first request.
/// </summary>
public static class ExchangeLog
{
    public static async Task WriteAsync(string path, IReadOnlyList<Exchange> exchanges)
    {
        var start = exchanges.Count == 0 ? 0 : exchanges.Min(e => e.Sent);
        var csv = new StringBuilder("sent_ms,latency_ms,status,key\n");
        foreach (var exchange in exchanges)
        {
            csv.Append(CultureInfo.InvariantCulture,
                $"{(exchange.Sent - start) * 1000.0 / Stopwatch.Frequency:0.000},{exchange.Milliseconds:0.000},{exchange.Status},{exchange.Key}\n");
        }

        // The wall-clock time of sent_ms 0, to line requests up with events traced in a peer (GC pauses).
        await File.WriteAllTextAsync(path + ".start", (DateTime.UtcNow - Stopwatch.GetElapsedTime(start)).ToString("O", CultureInfo.InvariantCulture));
        await File.WriteAllTextAsync(path, csv.ToString());
    }
}
