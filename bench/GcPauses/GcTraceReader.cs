using Microsoft.Diagnostics.Tracing;
using Microsoft.Diagnostics.Tracing.Parsers.Clr;

namespace DosAi.Orleans.Bench.GcPauses;

/// <summary>
/// Reads the GC pauses out of a <c>dotnet-trace</c> file recorded with
/// <c>--providers Microsoft-Windows-DotNETRuntime:0x1:4</c> (the GC keyword at the informational level).
/// </summary>
public static class GcTraceReader
{
    public static IReadOnlyList<GcPause> Read(string tracePath)
    {
        var pauses = new List<GcPause>();
        using var source = new EventPipeEventSource(tracePath);
        DateTime? suspending = null;
        DateTime suspended = default;
        DateTime gcStart = default;
        DateTime lastMark = default;
        DateTime? gcEnd = null;
        var kind = "";
        long promoted = 0;
        var lastMarkPerHeap = new Dictionary<int, DateTime>();
        var markMs = new Dictionary<GcMarkRoot, double>();

        source.Clr.GCSuspendEEStart += data =>
        {
            suspending = data.TimeStamp;
            suspended = data.TimeStamp;
            kind = data.Reason is GCSuspendEEReason.SuspendForGC or GCSuspendEEReason.SuspendForGCPrep ? "gc, no start" : data.Reason.ToString();
            promoted = 0;
            gcEnd = null;
            lastMarkPerHeap.Clear();
            markMs = [];
        };
        source.Clr.GCSuspendEEStop += data => suspended = data.TimeStamp;
        source.Clr.GCStart += data =>
        {
            gcStart = data.TimeStamp;
            lastMark = data.TimeStamp;
            kind = "gen" + data.Depth;
        };
        // Each mark event closes one root kind's marking on its heap, so its time runs from the heap's previous one.
        source.Clr.GCMarkWithType += data =>
        {
            var since = lastMarkPerHeap.TryGetValue(data.HeapNum, out var previous) ? previous : gcStart;
            var root = (GcMarkRoot)data.Type;
            markMs[root] = Math.Max(markMs.GetValueOrDefault(root), (data.TimeStamp - since).TotalMilliseconds);
            lastMarkPerHeap[data.HeapNum] = data.TimeStamp;
            lastMark = data.TimeStamp > lastMark ? data.TimeStamp : lastMark;
        };
        source.Clr.GCHeapStats += data => promoted = data.TotalPromotedSize0 + data.TotalPromotedSize1;
        source.Clr.GCStop += data => gcEnd = data.TimeStamp;
        source.Clr.GCRestartEEStop += data =>
        {
            // A restart without a suspension of its own is skipped.
            if (suspending is { } start)
            {
                var afterMark = gcEnd is { } end && markMs.Count != 0 ? (end - lastMark).TotalMilliseconds : 0;
                pauses.Add(new GcPause(start.ToUniversalTime(), (data.TimeStamp - start).TotalMilliseconds, kind, promoted / 1e6,
                    (suspended - start).TotalMilliseconds, markMs, afterMark));
            }

            suspending = null;
        };
        source.Process();
        return pauses;
    }
}
