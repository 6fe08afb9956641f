using DosAi.Orleans.Grains.Interfaces.Accounts;

namespace DosAi.Orleans.Grains.Accounts;

/// <summary>
/// Keys' credit leases: reservations a key spends on its requests in flight without asking the account
/// each time (one grain call less per request). New room is granted only while the free balance is at
/// least <see cref="Headroom"/> times larger, so leases never hold more than a small part of what other
/// keys of the account could spend; below that, keys reserve request by request, exactly as before.
/// A lease a key stops renewing (its silo died) is released after <see cref="CreditLease.Lifetime"/>.
/// </summary>
public sealed class CreditLeases(Credits credits)
{
    public const int Headroom = 64;

    private readonly Dictionary<long, DateTimeOffset> expiries = [];

    public int Count => expiries.Count;

    /// <summary>Releases <paramref name="previous"/> and sets aside what is in flight plus, room permitting, what is wanted.</summary>
    public CreditLease Replace(long previous, long inFlightMicros, long wantedMicros, DateTimeOffset now)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(inFlightMicros);
        ArgumentOutOfRangeException.ThrowIfNegative(wantedMicros);
        Release(previous);
        var granted = wantedMicros > 0 && (credits.Available - inFlightMicros) / Headroom >= wantedMicros ? wantedMicros : 0;
        var amount = inFlightMicros + granted;
        if (amount == 0)
        {
            return CreditLease.None;
        }

        // The in-flight part was held by the previous lease a moment ago, so it is held again whatever is free now.
        var id = credits.Hold(amount);
        expiries[id] = now + CreditLease.Lifetime;
        return new CreditLease(id, granted);
    }

    public void Release(long lease)
    {
        if (expiries.Remove(lease))
        {
            credits.Release(lease);
        }
    }

    public void ReleaseExpired(DateTimeOffset now)
    {
        foreach (var (lease, expiry) in expiries.ToList())
        {
            if (expiry <= now)
            {
                Release(lease);
            }
        }
    }
}
