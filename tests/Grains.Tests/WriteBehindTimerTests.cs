namespace DosAi.Orleans.Grains.Tests;

/// <summary>When a key may count on its next tick instead of scheduling one (the in-process path cannot).</summary>
public sealed class WriteBehindTimerTests
{
    [Fact]
    public void A_tick_is_coming_only_between_soon_and_a_tick_that_schedules_none()
    {
        var ticks = new WriteBehindTimer(TimeSpan.FromSeconds(10));
        Assert.False(ticks.IsComing);

        ticks.Soon();
        Assert.True(ticks.IsComing);

        ticks.Next(TimeSpan.FromMinutes(5));
        Assert.False(ticks.IsComing);

        ticks.Next(ticks.Interval);
        Assert.True(ticks.IsComing);

        ticks.Next(null);
        Assert.False(ticks.IsComing);
    }

    [Fact]
    public void A_tick_more_than_one_interval_late_is_not_coming()
    {
        var ticks = new WriteBehindTimer(TimeSpan.FromMilliseconds(50));
        ticks.Next(ticks.Interval);
        Assert.True(ticks.IsComing);

        // Nothing attached, so no tick runs: as for a grain whose timer is gone.
        Thread.Sleep(200);
        Assert.False(ticks.IsComing);
    }
}
