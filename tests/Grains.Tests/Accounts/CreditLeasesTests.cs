using DosAi.Orleans.Grains.Accounts;
using DosAi.Orleans.Grains.Interfaces.Accounts;

namespace DosAi.Orleans.Grains.Tests.Accounts;

public sealed class CreditLeasesTests
{
    private static readonly DateTimeOffset Now = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData(64_000, 0, 1_000, 1_000)]   // free balance exactly Headroom × wanted
    [InlineData(63_999, 0, 1_000, 999)]     // one µUSD short: a Headroom-th of it
    [InlineData(1_000_000, 5_000, 1_000, 1_000)]
    [InlineData(69_000, 5_000, 1_000, 1_000)] // what is in flight does not count as free
    [InlineData(68_999, 5_000, 1_000, 999)]
    [InlineData(63, 0, 1_000, 0)]
    [InlineData(0, 0, 1_000, 0)]
    [InlineData(-500, 0, 1_000, 0)]
    public void New_room_is_at_most_a_headroom_th_of_the_free_balance(long balance, long inFlight, long wanted, long granted)
    {
        var credits = new Credits(balance);
        var lease = new CreditLeases(credits).Replace("key_a", 0, inFlight, wanted, 1, Now);

        Assert.Equal(granted, lease.GrantedMicros);
        Assert.Equal(inFlight + granted, credits.Reserved);
        Assert.Equal(inFlight + granted == 0, lease.Id == 0);
    }

    [Fact]
    public void Replacing_a_lease_keeps_what_is_in_flight_held_even_when_nothing_is_free()
    {
        var credits = new Credits(64_000);
        var leases = new CreditLeases(credits);
        var first = leases.Replace("key_a", 0, 0, 1_000, 100, Now);
        credits.Charge(63_500); // other keys spent almost everything meanwhile

        var second = leases.Replace("key_a", first.Id, 800, 1_000, 100, Now);

        Assert.Equal(0, second.GrantedMicros);
        Assert.NotEqual(0, second.Id);
        Assert.Equal(800, credits.Reserved);
        Assert.Equal(1, leases.Count);
    }

    [Theory]
    [InlineData(1_000)]
    [InlineData(16_000)]
    public void Room_smaller_than_the_request_that_asked_is_not_set_aside(long smallest)
    {
        var credits = new Credits(64 * 999);

        var lease = new CreditLeases(credits).Replace("key_a", 0, 0, 16_000, smallest, Now);

        Assert.Equal((0L, 0L), (lease.GrantedMicros, credits.Reserved));
        Assert.NotEqual(0, credits.TryReserve(smallest > 999 ? 999 : smallest - 1)); // the request reserves what there is itself
    }

    [Fact]
    public void Charges_spend_their_share_of_the_lease_so_it_is_never_spent_twice()
    {
        var credits = new Credits(64_000);
        var leases = new CreditLeases(credits);
        var lease = leases.Replace("key_a", 0, 0, 1_000, 100, Now);

        // Ten requests of 100 µUSD estimated, 80 actual, charged: the lease is spent, the difference free again.
        for (var i = 0; i < 10; i++)
        {
            leases.Spend(lease.Id, 100);
            credits.Charge(80);
        }

        Assert.Equal((63_200, 0, 63_200), (credits.Balance, credits.Reserved, credits.Available));
        leases.Spend(lease.Id, 100); // more than it holds: nothing below zero
        leases.Spend(lease.Id + 1, 100); // not a lease
        Assert.Equal(0, credits.Reserved);
    }

    [Fact]
    public void Released_and_expired_leases_give_their_credits_back_and_stop_counting_their_keys_as_holders()
    {
        var credits = new Credits(1_000_000);
        var leases = new CreditLeases(credits);
        var released = leases.Replace("key_a", 0, 0, 1_000, 100, Now);
        var abandoned = leases.Replace("key_b", 0, 0, 2_000, 100, Now + TimeSpan.FromSeconds(30));
        Assert.Equal(3_000, credits.Reserved);
        Assert.Equal(["key_a", "key_b"], leases.Holders.Order());

        leases.Release(released.Id);
        leases.Release(released.Id); // twice: no effect
        Assert.Equal(2_000, credits.Reserved);
        Assert.Equal(["key_b"], leases.Holders);

        leases.ReleaseExpired(Now + TimeSpan.FromSeconds(30) + CreditLease.Lifetime - TimeSpan.FromTicks(1));
        Assert.Equal(2_000, credits.Reserved);
        leases.ReleaseExpired(Now + TimeSpan.FromSeconds(30) + CreditLease.Lifetime);
        Assert.Equal(0, credits.Reserved);
        Assert.Equal(0, leases.Count);
        Assert.Empty(leases.Holders);
        Assert.NotEqual(0, abandoned.Id);
    }
}
