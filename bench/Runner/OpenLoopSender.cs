using System.Diagnostics;

namespace DosAi.Orleans.Bench.Runner;

/// <summary>One request as the sender saw it; times are <see cref="Stopwatch"/> timestamps, Status 0 = no answer.</summary>
public readonly record struct Exchange(long Sent, long Received, int Status, int Key)
{
    public double Milliseconds => (Received - Sent) * 1000.0 / Stopwatch.Frequency;
}

/// <summary>
/// Open-loop load: request i leaves at its scheduled offset whether or not earlier ones have answered,
/// so a slow peer cannot slow the sender down and hide its own latency (wrk2's point, which Debian
/// lacks). A pacing thread dispatches at 1 ms granularity; latency runs from dispatch to the full
/// response. How late the pacing ran (the sender's own lag) and how long the sender's own GC paused it
/// (a pause delays every answer that arrives meanwhile) are reported separately.
/// </summary>
public sealed class OpenLoopSender(HttpClient client)
{
    /// <param name="at">When each request leaves, from the start, ascending.</param>
    /// <param name="target">Where request i goes: its peer and the index of its key in <paramref name="keys"/>.</param>
    public async Task<(Exchange[] Exchanges, double MaxLagMs, double OwnGcPauseMs)> RunAsync(IReadOnlyList<TimeSpan> at, Func<int, (RunningPeer Peer, int Key)> target, IReadOnlyList<string> keys)
    {
        var exchanges = new Exchange[at.Count];
        var pending = new Task[at.Count];
        var maxLag = 0L;
        var pausedBefore = GC.GetTotalPauseDuration();
        var pacing = new Thread(() =>
        {
            var start = Stopwatch.GetTimestamp();
            for (var i = 0; i < at.Count; i++)
            {
                var due = start + (long)(at[i].TotalSeconds * Stopwatch.Frequency);
                // Sleeping, not spinning: the machine may have only two cores. Requests due within the next
                // millisecond leave together.
                while (due - Stopwatch.GetTimestamp() > Stopwatch.Frequency / 1000)
                {
                    Thread.Sleep(1);
                }

                var sent = Stopwatch.GetTimestamp();
                maxLag = Math.Max(maxLag, sent - due);
                var index = i;
                var (peer, key) = target(i);
                pending[i] = Task.Run(async () => exchanges[index] = await CompletionCall.SendAsync(client, peer, keys[key], key, sent));
            }
        }) { IsBackground = true, Name = "open-loop pacing" };
        pacing.Start();
        await Task.Run(pacing.Join);
        await Task.WhenAll(pending);
        return (exchanges, maxLag * 1000.0 / Stopwatch.Frequency, (GC.GetTotalPauseDuration() - pausedBefore).TotalMilliseconds);
    }
}
