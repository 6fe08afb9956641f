using DosAi.Orleans.Grains.ApiKeys;
using DosAi.Orleans.Grains.Interfaces.Accounts;

namespace DosAi.Orleans.Grains.Tests.ApiKeys;

public sealed class KeyCreditLeaseTests
{
    private static readonly DateTimeOffset Now = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Requests_take_from_the_lease_until_it_runs_out_and_their_charges_spend_it()
    {
        var lease = new KeyCreditLease();
        Assert.True(lease.ShouldRenewFor(100, Now));
        lease.Replaced(new CreditLease(7, lease.WantedFor(100, Now)), 100, Now);

        var taken = Enumerable.Range(0, KeyCreditLease.RequestsPerLease + 1).Count(_ => lease.TryTake(100, Now));

        Assert.Equal(KeyCreditLease.RequestsPerLease, taken);
        Assert.True(lease.ShouldRenewFor(100, Now));
        lease.Spent(100, lease.Epoch);
        Assert.Equal((0, 1_500), (lease.Free, lease.InFlight)); // spent, not free again: only a renewal brings room
        Assert.True(lease.ShouldRenewFor(100, Now));
    }

    [Fact]
    public void Only_the_room_granted_is_free_in_a_new_lease()
    {
        var lease = HoldingLease7Of(1_000);
        Assert.True(lease.TryTake(600, Now));

        lease.Spent(600, lease.Epoch); // its charge reaches the account while the account replaces the lease
        lease.Replaced(new CreditLease(8, 2_000), 100, Now);

        Assert.Equal((2_000, 0), (lease.Free, lease.InFlight));
    }

    [Fact]
    public void A_lease_given_back_or_from_another_activation_is_not_spent_by_its_old_requests()
    {
        var lease = HoldingLease7Of(1_000);
        Assert.True(lease.TryTake(400, Now));
        var epoch = lease.Epoch;

        Assert.Equal(7, lease.Surrender());
        lease.Replaced(new CreditLease(9, 1_000), 100, Now);
        Assert.True(lease.TryTake(400, Now));
        lease.Spent(400, epoch);
        lease.Spent(400, new KeyCreditLease().Epoch);

        Assert.Equal((600, 400), (lease.Free, lease.InFlight));
    }

    [Theory]
    [InlineData(2.0, 16 * 100 * 10)]  // 16 requests in 2 s: that pace for 20 s
    [InlineData(0.1, 16 * 100 * 20)]  // a burst right after the grant counts as a second's spending
    [InlineData(40.0, 16 * 100)]      // slower than one lease per renewal: the usual room
    public void A_busy_key_asks_for_what_it_spends_between_renewals(double seconds, long wanted)
    {
        var lease = HoldingLease7Of(1_600);
        for (var i = 0; i < 16; i++)
        {
            Assert.True(lease.TryTake(100, Now));
            lease.Spent(100, lease.Epoch);
        }

        Assert.Equal(wanted, lease.WantedFor(100, Now + TimeSpan.FromSeconds(seconds)));
    }

    [Fact]
    public void The_timers_renewal_of_a_slow_key_asks_for_room_for_as_many_requests_like_its_last()
    {
        var lease = HoldingLease7Of(1_600);
        Assert.True(lease.TryTake(100, Now));

        Assert.Equal(16 * 100, lease.WantedFor(0, Now + CreditLease.RenewAfter)); // its pace alone: room for one
    }

    [Fact]
    public void Room_too_small_for_the_request_that_asked_counts_as_refused()
    {
        var lease = new KeyCreditLease();

        lease.Replaced(new CreditLease(7, 99), 100, Now);

        Assert.False(lease.TryTake(100, Now));
        Assert.True(lease.TryTake(99, Now));
        Assert.False(lease.ShouldRenewFor(100, Now + TimeSpan.FromMilliseconds(999)));
        Assert.True(lease.ShouldRenewFor(100, Now + TimeSpan.FromSeconds(1)));
    }

    [Fact]
    public void A_lease_is_renewed_in_time_not_used_after_a_failed_renewal_and_given_back_when_idle()
    {
        var lease = HoldingLease7Of(1_000);
        Assert.True(lease.TryTake(100, Now));
        Assert.False(lease.IsDue(Now + CreditLease.RenewAfter - TimeSpan.FromTicks(1)));
        Assert.True(lease.IsDue(Now + CreditLease.RenewAfter));
        Assert.False(lease.IsIdle(Now + TimeSpan.FromMinutes(1))); // a request is still in flight

        lease.Spent(100, lease.Epoch);
        Assert.False(lease.IsIdle(Now + TimeSpan.FromSeconds(4)));
        Assert.True(lease.IsIdle(Now + TimeSpan.FromSeconds(5)));

        lease.Failed(Now);
        Assert.False(lease.TryTake(100, Now));
        Assert.False(lease.ShouldRenewFor(100, Now + TimeSpan.FromMilliseconds(999)));
        Assert.True(lease.ShouldRenewFor(100, Now + TimeSpan.FromSeconds(1)));
    }

    /// <summary>A key that just got lease 7 with <paramref name="granted"/> µUSD of room.</summary>
    private static KeyCreditLease HoldingLease7Of(long granted)
    {
        var lease = new KeyCreditLease();
        lease.Replaced(new CreditLease(7, granted), 0, Now);
        return lease;
    }
}
