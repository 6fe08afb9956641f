namespace DosAi.Orleans.Grains.Accounts;

/// <summary>
/// Balance and outstanding reservations of one account, in integer micro-USD. A reservation only fits
/// into what is left after the others, so concurrent requests cannot overspend beyond the difference
/// between their actual and estimated costs.
/// </summary>
public sealed class Credits(long balance)
{
    private readonly Dictionary<long, long> reservations = [];
    // Ids differ between activations: a settlement or lease release from before a restart must not free a new reservation.
    private long nextReservation = Random.Shared.NextInt64(1, long.MaxValue / 2);

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

    /// <summary>Part of a reservation was spent (its charge came): only the rest stays held.</summary>
    public void Shrink(long reservation, long amountMicros)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(amountMicros);
        if (reservations.TryGetValue(reservation, out var held))
        {
            var spent = Math.Min(held, amountMicros);
            reservations[reservation] = held - spent;
            Reserved -= spent;
        }
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

    /// <summary>
    /// Applies a signed change; a debit is clamped to what is not reserved, so that neither it nor the requests
    /// already admitted against the reservations take the balance below zero.
    /// </summary>
    /// <returns>The amount actually applied.</returns>
    public long Adjust(long amountMicros)
    {
        var applied = amountMicros >= 0 ? amountMicros : Math.Max(amountMicros, -Math.Max(Available, 0));
        Balance += applied;
        return applied;
    }
}
