using Microsoft.Diagnostics.Tracing;
using Microsoft.Diagnostics.Tracing.Parsers.Clr;

namespace DosAi.Orleans.Bench.GcPauses;

/// <summary>
/// Reads the GC pauses out of a <c>dotnet-trace</c> file recorded with
/// <c>--providers Microsoft-Windows-DotNETRuntime:0x1:4</c> (the GC keyword at the informational level).
/// </summary>
public static class GcTraceReader
{
    // MarkRootType of the runtime's GCMarkWithType event: roots found through older generations' cards.
    private const int MarkOlder = 3;

    public static IReadOnlyList<GcPause> Read(string tracePath)
    {
        var pauses = new List<GcPause>();
        using var source = new EventPipeEventSource(tracePath);
        DateTime? suspending = null;
        DateTime gcStart = default;
        var kind = "";
        long promoted = 0;
        var lastMarkPerHeap = new Dictionary<int, DateTime>();
        var cardMarkingMs = 0.0;

        source.Clr.GCSuspendEEStart += data =>
        {
            suspending = data.TimeStamp;
            kind = data.Reason is GCSuspendEEReason.SuspendForGC or GCSuspendEEReason.SuspendForGCPrep ? "gc, no start" : data.Reason.ToString();
            promoted = 0;
            lastMarkPerHeap.Clear();
            cardMarkingMs = 0;
        };
        source.Clr.GCStart += data =>
        {
            gcStart = data.TimeStamp;
            kind = "gen" + data.Depth;
        };
        // Each mark event closes one root kind's marking on its heap, so its time runs from the heap's previous one.
        source.Clr.GCMarkWithType += data =>
        {
            var since = lastMarkPerHeap.TryGetValue(data.HeapNum, out var previous) ? previous : gcStart;
            if (data.Type == MarkOlder)
            {
                cardMarkingMs = Math.Max(cardMarkingMs, (data.TimeStamp - since).TotalMilliseconds);
            }

            lastMarkPerHeap[data.HeapNum] = data.TimeStamp;
        };
        source.Clr.GCHeapStats += data => promoted = data.TotalPromotedSize0 + data.TotalPromotedSize1;
        source.Clr.GCRestartEEStop += data =>
        {
            // A restart without a suspension of its own is skipped.
            if (suspending is { } start)
            {
                pauses.Add(new GcPause(start.ToUniversalTime(), (data.TimeStamp - start).TotalMilliseconds, kind, promoted / 1e6, cardMarkingMs));
            }

            suspending = null;
        };
        source.Process();
        return pauses;
    }
}
