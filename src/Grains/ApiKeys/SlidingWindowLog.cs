namespace DosAi.Orleans.Grains.ApiKeys;

/// <summary>
/// Exact sliding 60-second log of admitted requests and their token counts. An entry admitted at t
/// counts in [t, t + 60 s). Plain arithmetic, no Orleans: time is passed in by the caller.
/// </summary>
public sealed class SlidingWindowLog
{
    public static readonly TimeSpan Window = TimeSpan.FromSeconds(60);

    private readonly List<Entry> entries = [];
    private int head;
    private long nextId = 1;

    public int Count => entries.Count - head;

    public long Tokens { get; private set; }

    public WindowDecision TryAdmit(DateTimeOffset now, long tokens, int requestLimit, long tokenLimit)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(tokens);
        Expire(now);
        if (tokens > tokenLimit)
        {
            return new WindowDecision(WindowVerdict.TooLarge, 0, TimeSpan.Zero);
        }

        var requestsFit = Count < requestLimit;
        var tokensFit = Tokens + tokens <= tokenLimit;
        if (requestsFit && tokensFit)
        {
            var id = nextId++;
            entries.Add(new Entry(id, now.UtcTicks, tokens));
            Tokens += tokens;
            return new WindowDecision(WindowVerdict.Admitted, id, TimeSpan.Zero);
        }

        var wait = TimeSpan.Zero;
        if (!requestsFit)
        {
            // The oldest Count - limit + 1 entries must leave before one more fits.
            wait = ExpiresIn(head + Count - requestLimit, now);
        }

        if (!tokensFit)
        {
            var excess = Tokens + tokens - tokenLimit;
            var index = head;
            for (; index < entries.Count && excess > 0; index++)
            {
                excess -= entries[index].Tokens;
            }

            wait = Max(wait, ExpiresIn(index - 1, now));
        }

        return new WindowDecision(requestsFit ? WindowVerdict.TokensExceeded : WindowVerdict.RequestsExceeded, 0, wait);
    }

    /// <summary>Corrects an admitted entry to what the request really used; expired entries are ignored.</summary>
    public void Reconcile(long id, long actualTokens)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(actualTokens);
        var index = Find(id);
        if (index < 0)
        {
            return;
        }

        var entry = entries[index];
        Tokens += actualTokens - entry.Tokens;
        entries[index] = entry with { Tokens = actualTokens };
    }

    /// <summary>Takes back the newest entry when the admission it belonged to was refused later (e.g. 402).</summary>
    public void Retract(long id)
    {
        if (Count > 0 && entries[^1].Id == id)
        {
            Tokens -= entries[^1].Tokens;
            entries.RemoveAt(entries.Count - 1);
        }
    }

    /// <summary>The live window folded into one slice per second (at most 60), oldest first, for persistence.</summary>
    public IReadOnlyList<WindowSlice> Summarize(DateTimeOffset now)
    {
        Expire(now);
        var slices = new List<WindowSlice>();
        for (var index = head; index < entries.Count; index++)
        {
            var entry = entries[index];
            var time = new DateTimeOffset(entry.Ticks, TimeSpan.Zero);
            if (slices.Count > 0 && slices[^1].Newest.UtcTicks / TimeSpan.TicksPerSecond == entry.Ticks / TimeSpan.TicksPerSecond)
            {
                slices[^1] = new WindowSlice(time, slices[^1].Requests + 1, slices[^1].Tokens + entry.Tokens);
            }
            else
            {
                slices.Add(new WindowSlice(time, 1, entry.Tokens));
            }
        }

        return slices;
    }

    /// <summary>
    /// Refills an empty log from <see cref="Summarize"/>'s slices: each slice becomes its requests, all
    /// dated at the slice's newest admission (the first carrying the slice's tokens), so the restored
    /// window counts at least what the real one did, never less.
    /// </summary>
    public void Restore(IEnumerable<WindowSlice> slices, DateTimeOffset now)
    {
        if (Count > 0)
        {
            throw new InvalidOperationException("Only an empty window can be restored.");
        }

        foreach (var slice in slices.OrderBy(slice => slice.Newest))
        {
            // Another silo's clock may run ahead: clamp so the log stays in time order.
            var ticks = Math.Min(slice.Newest.UtcTicks, now.UtcTicks);
            for (var i = 0; i < slice.Requests; i++)
            {
                var tokens = i == 0 ? slice.Tokens : 0;
                entries.Add(new Entry(nextId++, ticks, tokens));
                Tokens += tokens;
            }
        }

        Expire(now);
    }

    /// <summary>Time until the window is empty again (OpenAI's "reset"): when its newest entry expires.</summary>
    public TimeSpan TimeUntilEmpty(DateTimeOffset now)
    {
        Expire(now);
        return Count == 0 ? TimeSpan.Zero : ExpiresIn(entries.Count - 1, now);
    }

    /// <summary>Time until no tokens remain counted: when the newest entry holding tokens expires.</summary>
    public TimeSpan TimeUntilNoTokens(DateTimeOffset now)
    {
        Expire(now);
        for (var index = entries.Count - 1; index >= head; index--)
        {
            if (entries[index].Tokens > 0)
            {
                return ExpiresIn(index, now);
            }
        }

        return TimeSpan.Zero;
    }

    public void Expire(DateTimeOffset now)
    {
        var cutoff = now.UtcTicks - Window.Ticks;
        while (head < entries.Count && entries[head].Ticks <= cutoff)
        {
            Tokens -= entries[head].Tokens;
            head++;
        }

        // Compact once the dead prefix dominates, so memory stays proportional to the live window.
        if (head > 32 && head * 2 > entries.Count)
        {
            entries.RemoveRange(0, head);
            head = 0;
        }
    }

    private TimeSpan ExpiresIn(int index, DateTimeOffset now) =>
        TimeSpan.FromTicks(entries[index].Ticks + Window.Ticks - now.UtcTicks);

    private int Find(long id)
    {
        var low = head;
        var high = entries.Count - 1;
        while (low <= high)
        {
            var middle = (low + high) >>> 1;
            var candidate = entries[middle].Id;
            if (candidate == id)
            {
                return middle;
            }

            if (candidate < id)
            {
                low = middle + 1;
            }
            else
            {
                high = middle - 1;
            }
        }

        return -1;
    }

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

    private readonly record struct Entry(long Id, long Ticks, long Tokens);
}

public enum WindowVerdict
{
    Admitted,
    RequestsExceeded,
    TokensExceeded,
    TooLarge,
}

/// <param name="EntryId">The admitted entry, for <see cref="SlidingWindowLog.Reconcile"/>; 0 otherwise.</param>
/// <param name="RetryAfter">When refused: exactly how long until the same request fits.</param>
public readonly record struct WindowDecision(WindowVerdict Verdict, long EntryId, TimeSpan RetryAfter);
