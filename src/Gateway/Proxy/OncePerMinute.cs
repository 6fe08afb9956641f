using System.Diagnostics;

namespace DosAi.Orleans.Gateway.Proxy;

/// <summary>Lets something through at most once a minute: a warning about an upstream failing every request, say.</summary>
public sealed class OncePerMinute
{
    private long last;

    public bool TryEnter()
    {
        var now = Stopwatch.GetTimestamp();
        var previous = Interlocked.Read(ref last);
        return (previous == 0 || Stopwatch.GetElapsedTime(previous, now) >= TimeSpan.FromMinutes(1))
            && Interlocked.CompareExchange(ref last, now, previous) == previous;
    }
}
