using Microsoft.Diagnostics.Runtime;

namespace DosAi.Orleans.Bench.YoungReferences;

/// <summary>How many objects of one type, and their bytes (or references).</summary>
public sealed record TypeCount(string Type, int Objects, long Amount);

/// <summary>
/// What the next gen0 GC of a dumped process has to do beyond its stacks: the older objects holding references
/// to gen0 objects (what card marking visits, and relocation updates) and the gen0 objects still reachable
/// (what it promotes).
/// </summary>
public sealed class HeapCensus
{
    private readonly Dictionary<string, (int Objects, long References)> olderHolders = [];
    private readonly Dictionary<string, (int Objects, long Bytes)> liveYoung = [];
    private readonly HashSet<ulong> cards = [];

    // The GC's card: one bit of the card table per 256 bytes of heap on 64-bit.
    private const ulong CardBytes = 256;

    /// <summary>Distinct cards holding a reference to gen0: a lower bound of the cards the next gen0 GC scans.</summary>
    public int Cards => cards.Count;

    public IEnumerable<TypeCount> OlderHolders => olderHolders
        .Select(pair => new TypeCount(pair.Key, pair.Value.Objects, pair.Value.References))
        .OrderByDescending(count => count.Objects);

    public IEnumerable<TypeCount> LiveYoung => liveYoung
        .Select(pair => new TypeCount(pair.Key, pair.Value.Objects, pair.Value.Bytes))
        .OrderByDescending(count => count.Amount);

    public static HeapCensus Take(ClrHeap heap)
    {
        var census = new HeapCensus();
        census.CountOlderHolders(heap);
        census.CountLiveYoung(heap);
        return census;
    }

    private static Generation GenerationOf(ClrHeap heap, ulong address) =>
        heap.GetSegmentByAddress(address)?.GetGeneration(address) ?? Generation.Unknown;

    private static bool IsYoung(ClrHeap heap, ulong address) => GenerationOf(heap, address) == Generation.Generation0;

    private void CountOlderHolders(ClrHeap heap)
    {
        foreach (var holder in heap.EnumerateObjects())
        {
            if (!holder.IsValid || IsYoung(heap, holder.Address))
            {
                continue;
            }

            var references = 0;
            foreach (var reference in holder.EnumerateReferencesWithFields(carefully: false, considerDependantHandles: false))
            {
                if (reference.Object.Address != 0 && IsYoung(heap, reference.Object.Address))
                {
                    references++;
                    cards.Add((holder.Address + (ulong)reference.Offset) / CardBytes);
                }
            }

            if (references != 0)
            {
                var type = $"[{GenerationOf(heap, holder.Address)}] {holder.Type?.Name}";
                var (objects, total) = olderHolders.GetValueOrDefault(type);
                olderHolders[type] = (objects + 1, total + references);
            }
        }
    }

    /// <summary>Marks from the roots as the GC would (dependent handles included) and counts what is reached in gen0.</summary>
    private void CountLiveYoung(ClrHeap heap)
    {
        var reached = new HashSet<ulong>();
        var pending = new Stack<ulong>();
        foreach (var root in heap.EnumerateRoots())
        {
            if (root.Object.Address != 0 && reached.Add(root.Object.Address))
            {
                pending.Push(root.Object.Address);
            }
        }

        while (pending.TryPop(out var address))
        {
            var reachedObject = heap.GetObject(address);
            if (!reachedObject.IsValid)
            {
                continue;
            }

            if (IsYoung(heap, address))
            {
                var type = reachedObject.Type?.Name ?? "?";
                var (objects, bytes) = liveYoung.GetValueOrDefault(type);
                liveYoung[type] = (objects + 1, bytes + (long)reachedObject.Size);
            }

            foreach (var referenced in reachedObject.EnumerateReferenceAddresses(carefully: false, considerDependantHandles: true))
            {
                if (referenced != 0 && reached.Add(referenced))
                {
                    pending.Push(referenced);
                }
            }
        }
    }
}
