namespace DosAi.Orleans.Grains.Accounts;

/// <summary>
/// Balance and outstanding reservations of one account, in integer micro-USD. A reservation only fits
/// into what is left after the others, so concurrent requests cannot overspend beyond the difference
/// between their actual and estimated costs.
/// </summary>
public sealed class Credits(long balance)
{
    private readonly Dictionary<long, long> reservations = [];
    private long nextReservation = 1;

    public long Balance { get; private set; } = balance;

    public long Reserved { get; private set; }

    public long Available => Balance - Reserved;

    /// <returns>A reservation id, or 0 when the cost does not fit.</returns>
    public long TryReserve(long costMicros)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(costMicros);
        if (costMicros > Available || (costMicros == 0 && Available < 0))
        {
            return 0;
        }

        return Hold(costMicros);
    }

    /// <summary>Reserves even beyond what is available: for amounts the caller already held under an earlier reservation.</summary>
    public long Hold(long amountMicros)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(amountMicros);
        var id = nextReservation++;
        reservations[id] = amountMicros;
        Reserved += amountMicros;
        return id;
    }

    public void Release(long reservation)
    {
        if (reservations.Remove(reservation, out var amount))
        {
            Reserved -= amount;
        }
    }

    public void Charge(long costMicros)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(costMicros);
        Balance -= costMicros;
    }

    /// <summary>Applies a signed change; a debit is clamped so it never takes the balance below zero.</summary>
    /// <returns>The amount actually applied.</returns>
    public long Adjust(long amountMicros)
    {
        var applied = amountMicros >= 0 ? amountMicros : Math.Max(amountMicros, -Math.Max(Balance, 0));
        Balance += applied;
        return applied;
    }
}
