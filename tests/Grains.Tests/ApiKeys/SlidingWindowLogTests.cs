using DosAi.Orleans.Grains.ApiKeys;

namespace DosAi.Orleans.Grains.Tests.ApiKeys;

public sealed class SlidingWindowLogTests
{
    private static readonly DateTimeOffset Start = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData(1, 60, 100_000)]
    [InlineData(2, 5, 1_000)]
    [InlineData(3, 300, 2_000_000)]
    [InlineData(4, 17, 400)]
    public void Random_arrivals_never_exceed_either_limit_in_any_60s_interval(int seed, int requestLimit, long tokenLimit)
    {
        var random = new Random(seed);
        var log = new SlidingWindowLog();
        var admitted = new List<(long Ticks, long Tokens)>();
        var now = Start;
        var end = Start.AddMinutes(5);
        while (now < end)
        {
            now += TimeSpan.FromTicks(random.NextInt64(0, TimeSpan.TicksPerSecond / 2));
            var tokens = random.NextInt64(0, tokenLimit / 4 + 1);
            var decision = log.TryAdmit(now, tokens, requestLimit, tokenLimit);
            if (decision.Verdict == WindowVerdict.Admitted)
            {
                admitted.Add((now.UtcTicks, tokens));
            }
        }

        Assert.NotEmpty(admitted);
        // Every interval [t, t+60s) starting at an admission is the worst case for its entries.
        for (var i = 0; i < admitted.Count; i++)
        {
            var inWindow = admitted.Skip(i).TakeWhile(a => a.Ticks < admitted[i].Ticks + SlidingWindowLog.Window.Ticks).ToList();
            Assert.True(inWindow.Count <= requestLimit, $"{inWindow.Count} requests in one window, limit {requestLimit}");
            Assert.True(inWindow.Sum(a => a.Tokens) <= tokenLimit, $"{inWindow.Sum(a => a.Tokens)} tokens in one window, limit {tokenLimit}");
        }
    }

    [Theory]
    [InlineData(7, 60)]
    [InlineData(8, 10)]
    public void Under_overload_exactly_the_request_limit_is_admitted_per_window(int seed, int requestLimit)
    {
        var random = new Random(seed);
        var log = new SlidingWindowLog();
        var admittedAt = new List<DateTimeOffset>();
        // 20 requests a second for 3 minutes: far above the limit.
        for (var step = 0; step < 20 * 180; step++)
        {
            var now = Start + TimeSpan.FromMilliseconds(step * 50 + random.Next(0, 50));
            if (log.TryAdmit(now, 1, requestLimit, long.MaxValue).Verdict == WindowVerdict.Admitted)
            {
                admittedAt.Add(now);
            }
        }

        Assert.Equal(requestLimit, admittedAt.Count(t => t < Start.AddSeconds(60)));
        // Sliding, not fixed: in steady overload every 60-s interval from the first admission on is full.
        for (var i = 0; i + requestLimit < admittedAt.Count; i++)
        {
            Assert.True(admittedAt[i + requestLimit] - admittedAt[i] >= SlidingWindowLog.Window);
        }

        Assert.InRange(admittedAt.Count, requestLimit * 3 - 1, requestLimit * 3);
    }

    [Fact]
    public void Under_token_overload_exactly_the_token_limit_is_admitted()
    {
        var log = new SlidingWindowLog();
        long admittedTokens = 0;
        for (var second = 0; second < 60; second++)
        {
            if (log.TryAdmit(Start.AddSeconds(second), 100, 1000, 1000).Verdict == WindowVerdict.Admitted)
            {
                admittedTokens += 100;
            }
        }

        Assert.Equal(1000, admittedTokens);
    }

    [Theory]
    [InlineData(11)]
    [InlineData(12)]
    [InlineData(13)]
    public void Retry_after_is_exactly_when_admission_succeeds(int seed)
    {
        var random = new Random(seed);
        var log = new SlidingWindowLog();
        var now = Start;
        var refusals = 0;
        while (refusals < 50)
        {
            now += TimeSpan.FromTicks(random.NextInt64(1, TimeSpan.TicksPerSecond * 3));
            var tokens = random.NextInt64(1, 400);
            var decision = log.TryAdmit(now, tokens, 8, 1000);
            if (decision.Verdict is WindowVerdict.Admitted or WindowVerdict.TooLarge)
            {
                continue;
            }

            refusals++;
            Assert.True(decision.RetryAfter > TimeSpan.Zero);
            // A refused probe adds nothing, so probing the same log one tick early is harmless.
            var justBefore = log.TryAdmit(now + decision.RetryAfter - TimeSpan.FromTicks(1), tokens, 8, 1000);
            Assert.NotEqual(WindowVerdict.Admitted, justBefore.Verdict);
            now += decision.RetryAfter;
            Assert.Equal(WindowVerdict.Admitted, log.TryAdmit(now, tokens, 8, 1000).Verdict);
        }
    }

    [Fact]
    public void A_request_larger_than_the_token_limit_is_too_large_and_not_counted()
    {
        var log = new SlidingWindowLog();
        Assert.Equal(WindowVerdict.TooLarge, log.TryAdmit(Start, 1001, 10, 1000).Verdict);
        Assert.Equal(0, log.Count);
    }

    [Fact]
    public void Reconcile_corrects_tokens_and_retract_removes_the_newest_entry()
    {
        var log = new SlidingWindowLog();
        var first = log.TryAdmit(Start, 500, 10, 1000);
        var second = log.TryAdmit(Start.AddSeconds(1), 500, 10, 1000);
        Assert.Equal(WindowVerdict.TokensExceeded, log.TryAdmit(Start.AddSeconds(2), 100, 10, 1000).Verdict);

        log.Reconcile(first.EntryId, 120);
        Assert.Equal(620, log.Tokens);
        Assert.Equal(WindowVerdict.Admitted, log.TryAdmit(Start.AddSeconds(2), 100, 10, 1000).Verdict);

        var third = log.TryAdmit(Start.AddSeconds(3), 10, 10, 1000);
        log.Retract(third.EntryId);
        Assert.Equal(3, log.Count);
        log.Retract(second.EntryId); // not the newest: ignored
        Assert.Equal(3, log.Count);
    }

    [Theory]
    [InlineData(5)]
    [InlineData(6)]
    public void Reconcile_finds_any_live_entry_old_or_new_and_ignores_retracted_and_expired_ones(int seed)
    {
        var random = new Random(seed);
        var log = new SlidingWindowLog();
        var admitted = new List<long>();
        var retracted = new List<long>();
        var time = Start;
        for (var i = 0; i < 400; i++)
        {
            time = time.AddMilliseconds(random.Next(0, 400));
            var decision = log.TryAdmit(time, 100, 1_000, long.MaxValue);
            if (random.Next(10) == 0)
            {
                log.Retract(decision.EntryId);
                retracted.Add(decision.EntryId);
            }
            else
            {
                admitted.Add(decision.EntryId);
            }
        }

        // 400 admissions over about 80 s: the oldest have expired, the rest are spread over the whole log.
        var found = 0;
        foreach (var id in admitted.OrderBy(_ => random.Next()).ToList())
        {
            var actual = random.Next(0, 50);
            var before = log.Tokens;
            log.Reconcile(id, actual);
            if (log.Tokens != before)
            {
                Assert.Equal(before - 100 + actual, log.Tokens);
                found++;
            }
        }

        Assert.Equal(log.Count, found);
        Assert.InRange(found, 100, admitted.Count - 1);
        foreach (var id in retracted)
        {
            var before = log.Tokens;
            log.Reconcile(id, 1_000);
            Assert.Equal(before, log.Tokens);
        }
    }

    [Fact]
    public void Reset_times_follow_the_newest_entries()
    {
        var log = new SlidingWindowLog();
        log.TryAdmit(Start, 10, 10, 1000);
        var zeroTokens = log.TryAdmit(Start.AddSeconds(20), 0, 10, 1000);
        Assert.Equal(WindowVerdict.Admitted, zeroTokens.Verdict);
        Assert.Equal(TimeSpan.FromSeconds(50), log.TimeUntilEmpty(Start.AddSeconds(30)));
        Assert.Equal(TimeSpan.FromSeconds(30), log.TimeUntilNoTokens(Start.AddSeconds(30)));
        Assert.Equal(TimeSpan.Zero, log.TimeUntilEmpty(Start.AddSeconds(80)));
    }
    [Theory]
    [InlineData(11)]
    [InlineData(12)]
    [InlineData(13)]
    public void A_window_restored_mid_stream_keeps_every_60s_interval_within_the_limits(int seed)
    {
        const int requestLimit = 50;
        const long tokenLimit = 40_000;
        var random = new Random(seed);
        var log = new SlidingWindowLog();
        var admitted = new List<(long Ticks, long Tokens)>();
        var now = Start;
        for (var i = 0; i < 800; i++)
        {
            if (i == 400)
            {
                // The silo dies right after a write-behind: the next activation starts from the summary.
                var summary = log.Summarize(now);
                Assert.True(summary.Count <= 60);
                var restored = new SlidingWindowLog();
                restored.Restore(summary, now);
                Assert.Equal(log.Count, restored.Count);
                Assert.Equal(log.Tokens, restored.Tokens);
                log = restored;
            }

            now += TimeSpan.FromMilliseconds(random.Next(0, 300));
            var tokens = random.Next(0, 2_000);
            if (log.TryAdmit(now, tokens, requestLimit, tokenLimit).Verdict == WindowVerdict.Admitted)
            {
                admitted.Add((now.UtcTicks, tokens));
            }
        }

        for (var i = 0; i < admitted.Count; i++)
        {
            var inWindow = admitted.Skip(i).TakeWhile(a => a.Ticks < admitted[i].Ticks + SlidingWindowLog.Window.Ticks).ToList();
            Assert.True(inWindow.Count <= requestLimit, $"{inWindow.Count} requests in one window");
            Assert.True(inWindow.Sum(a => a.Tokens) <= tokenLimit, $"{inWindow.Sum(a => a.Tokens)} tokens in one window");
        }
    }

    [Fact]
    public void Restored_entries_expire_at_the_newest_admission_of_their_second()
    {
        var log = new SlidingWindowLog();
        log.TryAdmit(Start.AddMilliseconds(100), 10, 5, 1_000);
        log.TryAdmit(Start.AddMilliseconds(900), 20, 5, 1_000);
        log.TryAdmit(Start.AddMilliseconds(1_500), 30, 5, 1_000);
        var summary = log.Summarize(Start.AddSeconds(2));
        Assert.Equal([new WindowSlice(Start.AddMilliseconds(900), 2, 30), new WindowSlice(Start.AddMilliseconds(1_500), 1, 30)], summary);

        var restored = new SlidingWindowLog();
        restored.Restore(summary, Start.AddMilliseconds(60_500));
        Assert.Equal(3, restored.Count);
        restored.Expire(Start.AddMilliseconds(60_900));
        Assert.Equal(1, restored.Count);
        Assert.Equal(30, restored.Tokens);
        restored.Expire(Start.AddMilliseconds(61_500));
        Assert.Equal(0, restored.Count);
    }
}
