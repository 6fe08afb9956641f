using BenchmarkDotNet.Attributes;
using DosAi.Orleans.Grains.ApiKeys;

namespace DosAi.Orleans.Bench.Micro;

/// <summary>
/// The key grain's window at steady state: full to its limit, one entry expiring per admission
/// (time advances by 60 s ÷ limit per operation), then the settlement's reconcile.
/// </summary>
public class SlidingWindowBenchmarks
{
    private const long TokenLimit = long.MaxValue;
    private SlidingWindowLog window = null!;
    private DateTimeOffset now;
    private TimeSpan step;

    [Params(60, 10_000)]
    public int Limit { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        window = new SlidingWindowLog();
        now = DateTimeOffset.UnixEpoch;
        step = SlidingWindowLog.Window / Limit;
        for (var i = 0; i < Limit; i++)
        {
            now += step;
            window.TryAdmit(now, 100, Limit, TokenLimit);
        }
    }

    [Benchmark]
    public void AdmitAndReconcile()
    {
        now += step;
        var decision = window.TryAdmit(now, 100, Limit, TokenLimit);
        window.Reconcile(decision.EntryId, 60);
    }

    [Benchmark]
    public WindowDecision Refuse() => window.TryAdmit(now, 100, Limit, TokenLimit);

    [Benchmark]
    public TimeSpan ResetTimes() => window.TimeUntilEmpty(now) + window.TimeUntilNoTokens(now);
}
