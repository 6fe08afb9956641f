using System.Diagnostics;

namespace DosAi.Orleans.Bench.Runner;

/// <summary>A fixed number of workers, each sending its next request when the previous one has answered.</summary>
public sealed class ClosedLoopSender(HttpClient client)
{
    /// <param name="keyOrder">The key index of each request, in order; one request each.</param>
    public async Task<(Exchange[] Exchanges, double Seconds)> RunAsync(RunningPeer peer, IReadOnlyList<string> keys, IReadOnlyList<int> keyOrder, int concurrency)
    {
        var exchanges = new Exchange[keyOrder.Count];
        var next = -1;
        var started = Stopwatch.GetTimestamp();
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(_ => Task.Run(async () =>
        {
            for (var i = Interlocked.Increment(ref next); i < keyOrder.Count; i = Interlocked.Increment(ref next))
            {
                var key = keyOrder[i];
                exchanges[i] = await CompletionCall.SendAsync(client, peer, keys[key], key, Stopwatch.GetTimestamp());
            }
        })));
        return (exchanges, Stopwatch.GetElapsedTime(started).TotalSeconds);
    }
}
