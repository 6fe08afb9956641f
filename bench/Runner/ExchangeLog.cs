using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace DosAi.Orleans.Bench.Runner;

/// <summary>
/// Every request of a latency run as CSV (sent offset, latency, status, key), so a tail can be traced
/// to moments (a periodic stall) or spread evenly (a slower path) after the run.
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

        await File.WriteAllTextAsync(path, csv.ToString());
    }
}
