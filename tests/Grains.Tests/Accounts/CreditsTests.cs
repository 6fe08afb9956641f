using DosAi.Orleans.Grains.Accounts;

namespace DosAi.Orleans.Grains.Tests.Accounts;

public sealed class CreditsTests
{
    [Fact]
    public void Reservations_only_fit_into_what_other_reservations_leave()
    {
        var credits = new Credits(1_000);
        var first = credits.TryReserve(600);
        Assert.NotEqual(0, first);
        Assert.Equal(0, credits.TryReserve(500));
        var second = credits.TryReserve(400);
        Assert.NotEqual(0, second);
        Assert.Equal(0, credits.Available);

        credits.Release(first);
        credits.Charge(250);
        Assert.Equal(750, credits.Balance);
        Assert.Equal(350, credits.Available);
        credits.Release(first); // twice: no effect
        Assert.Equal(350, credits.Available);
    }

    [Theory]
    [InlineData(1_000, -400, -400, 600)]
    [InlineData(1_000, -5_000, -1_000, 0)]
    [InlineData(0, -1, 0, 0)]
    [InlineData(-30, -10, 0, -30)]
    [InlineData(-30, 100, 100, 70)]
    public void Adjustments_never_take_the_balance_below_zero(long balance, long amount, long expectedApplied, long expectedBalance)
    {
        var credits = new Credits(balance);
        Assert.Equal(expectedApplied, credits.Adjust(amount));
        Assert.Equal(expectedBalance, credits.Balance);
    }

    [Fact]
    public void A_debit_leaves_what_is_reserved_so_admitted_requests_cannot_take_the_balance_below_zero()
    {
        var credits = new Credits(1_000);
        var reservation = credits.TryReserve(300);

        Assert.Equal(-700, credits.Adjust(-1_000));
        credits.Release(reservation);
        credits.Charge(300);

        Assert.Equal(0, credits.Balance);
    }

    [Fact]
    public void Shrinking_a_reservation_holds_only_what_is_left_of_it()
    {
        var credits = new Credits(1_000);
        var reservation = credits.TryReserve(300);

        credits.Shrink(reservation, 100);
        Assert.Equal(200, credits.Reserved);
        credits.Shrink(reservation, 500);
        Assert.Equal(0, credits.Reserved);
        credits.Release(reservation);
        Assert.Equal(1_000, credits.Available);
    }

    [Fact]
    public void Reservation_ids_differ_between_activations()
    {
        var ids = Enumerable.Range(0, 8).Select(_ => new Credits(1_000).TryReserve(1)).ToHashSet();

        Assert.Equal(8, ids.Count);
    }

    [Fact]
    public void A_negative_balance_refuses_even_free_requests()
    {
        var credits = new Credits(10);
        credits.Charge(15);
        Assert.Equal(0, credits.TryReserve(0));
        Assert.Equal(0, credits.TryReserve(1));
    }
}
