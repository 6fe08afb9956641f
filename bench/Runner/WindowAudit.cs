using System.Diagnostics;

namespace DosAi.Orleans.Bench.Runner;

/// <summary>
/// Checks a limiter from the outside. A request admitted by the server was admitted at some instant
/// between its send and its answer, so admissions j with send ≥ s and answer &lt; s + 60 s certainly fall
/// in one 60-second window: the largest such set is a count the limiter provably allowed (never an
/// artefact of client timing).
/// </summary>
public static class WindowAudit
{
    public static readonly long WindowTicks = 60 * Stopwatch.Frequency;

    /// <param name="admitted">One key's admitted requests, ordered by send time.</param>
    public static int MaxInOneWindow(IReadOnlyList<Exchange> admitted)
    {
        var max = 0;
        for (var i = 0; i < admitted.Count; i++)
        {
            var end = admitted[i].Sent + WindowTicks;
            var count = 0;
            for (var j = i; j < admitted.Count && admitted[j].Sent < end; j++)
            {
                if (admitted[j].Received < end)
                {
                    count++;
                }
            }

            max = Math.Max(max, count);
        }

        return max;
    }

    /// <summary>What an exact sliding-window limiter deciding at send time would admit: the reference for "admitted".</summary>
    /// <param name="sent">One key's send times, ascending.</param>
    public static int IdealAdmitted(IReadOnlyList<long> sent, int limit)
    {
        var window = new Queue<long>();
        var admitted = 0;
        foreach (var time in sent)
        {
            while (window.Count > 0 && window.Peek() <= time - WindowTicks)
            {
                window.Dequeue();
            }

            if (window.Count < limit)
            {
                window.Enqueue(time);
                admitted++;
            }
        }

        return admitted;
    }
}
