using DosAi.Orleans.Grains.ApiKeys;
using DosAi.Orleans.Grains.Interfaces.Accounts;

namespace DosAi.Orleans.Grains.Tests.ApiKeys;

public sealed class KeyCreditLeaseTests
{
    private static readonly DateTimeOffset Now = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Requests_take_from_the_lease_until_it_runs_out_and_give_back_when_they_settle()
    {
        var lease = new KeyCreditLease();
        Assert.True(lease.ShouldRenewFor(100, Now));
        lease.Replaced(new CreditLease(7, lease.WantedFor(100)), 0, Now);

        var taken = Enumerable.Range(0, KeyCreditLease.RequestsPerLease + 1).Count(_ => lease.TryTake(100, Now));

        Assert.Equal(KeyCreditLease.RequestsPerLease, taken);
        Assert.True(lease.ShouldRenewFor(100, Now));
        lease.Return(100, lease.Epoch);
        Assert.Equal((100, 1_500), (lease.Free, lease.InFlight));
        Assert.False(lease.ShouldRenewFor(100, Now));
    }

    [Fact]
    public void Requests_settled_during_a_renewal_free_their_part_of_the_new_lease()
    {
        var lease = HoldingLease7Of(1_000);
        Assert.True(lease.TryTake(600, Now));

        var inFlightSent = lease.InFlight;
        lease.Return(600, lease.Epoch); // settles while the account replaces the lease
        lease.Replaced(new CreditLease(8, 2_000), inFlightSent, Now);

        // The new lease holds 600 (in flight when asked) + 2,000: all of it is free now.
        Assert.Equal((2_600, 0), (lease.Free, lease.InFlight));
    }

    [Fact]
    public void A_lease_given_back_or_from_another_activation_gets_nothing_back()
    {
        var lease = HoldingLease7Of(1_000);
        Assert.True(lease.TryTake(400, Now));
        var epoch = lease.Epoch;

        Assert.Equal(7, lease.Surrender());
        lease.Replaced(new CreditLease(9, 1_000), 0, Now);
        lease.Return(400, epoch);
        lease.Return(400, new KeyCreditLease().Epoch);

        Assert.Equal((1_000, 0), (lease.Free, lease.InFlight));
    }

    [Fact]
    public void A_lease_is_renewed_in_time_not_used_after_a_failed_renewal_and_given_back_when_idle()
    {
        var lease = HoldingLease7Of(1_000);
        Assert.True(lease.TryTake(100, Now));
        Assert.False(lease.IsDue(Now + CreditLease.RenewAfter - TimeSpan.FromTicks(1)));
        Assert.True(lease.IsDue(Now + CreditLease.RenewAfter));
        Assert.False(lease.IsIdle(Now + TimeSpan.FromMinutes(1))); // a request is still in flight

        lease.Return(100, lease.Epoch);
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
