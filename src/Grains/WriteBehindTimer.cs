namespace DosAi.Orleans.Grains;

/// <summary>
/// A grain's write-behind timer that runs only while the grain has something to write behind or tend.
/// A timer ticking every interval in every active grain costs one scheduler turn per grain per interval:
/// with 300 k keys active (created, or used once) that alone saturated two cores. Grains call
/// <see cref="Soon"/> when work appears, and <see cref="Next"/> at the end of each tick.
/// </summary>
public sealed class WriteBehindTimer(TimeSpan interval)
{
    private IGrainTimer? timer;
    private long dueAt = long.MaxValue;

    /// <summary>Attaches the registered timer (registered with an infinite due time: nothing to do yet).</summary>
    public void Attach(IGrainTimer grainTimer) => timer = grainTimer;

    /// <summary>
    /// Makes sure a tick comes within one interval. The first tick after a quiet spell falls at a random
    /// point of the interval, so grains woken together (a burst of new keys) do not tick together.
    /// </summary>
    public void Soon()
    {
        if (dueAt - Environment.TickCount64 > (long)interval.TotalMilliseconds)
        {
            Schedule(interval * Random.Shared.NextDouble());
        }
    }

    /// <summary>After a tick: the next one in one interval, at a later deadline, or none (null) until <see cref="Soon"/>.</summary>
    public void Next(TimeSpan? after) => Schedule(after is { } delay ? (delay < interval ? interval : delay) : Timeout.InfiniteTimeSpan);

    public TimeSpan Interval => interval;

    private void Schedule(TimeSpan delay)
    {
        dueAt = delay == Timeout.InfiniteTimeSpan ? long.MaxValue : Environment.TickCount64 + (long)delay.TotalMilliseconds;
        timer?.Change(delay, Timeout.InfiniteTimeSpan);
    }
}
