namespace DosAi.Orleans.Grains.Tests;

public sealed class WriteBehindPhaseTests
{
    private static readonly DateTimeOffset Now = new(2026, 1, 1, 12, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData(60)]
    [InlineData(300)]
    public void Grains_activated_together_reach_their_first_deadline_within_one_period_and_spread_over_it(int periodSeconds)
    {
        var period = TimeSpan.FromSeconds(periodSeconds);

        var deadlines = Enumerable.Range(0, 1_000).Select(_ => WriteBehindPhase.PeriodStart(Now, period) + period).ToList();

        Assert.All(deadlines, deadline => Assert.InRange(deadline, Now, Now + period));
        // Spread: every tenth of the period holds some of the 1,000 (all in one tenth would be a burst).
        var tenths = deadlines.Select(deadline => Math.Min(9, (int)((deadline - Now) / period * 10))).ToHashSet();
        Assert.Equal(10, tenths.Count);
    }
}
