using DosAi.Orleans.Grains.Interfaces.Accounts;

namespace DosAi.Orleans.Grains.Accounts;

/// <summary>
/// Keys' credit leases: reservations a key spends on its requests without asking the account each time (one
/// grain call less per request). Each charge of a leased request spends its share of the lease, which then
/// holds that much less, so a key spends at most what its leases were granted. New room is at most a
/// <see cref="Headroom"/>th of the free balance, so leases never hold more than a small part of what other
/// keys of the account could spend; when none is left, keys reserve request by request, exactly as before.
/// A lease a key stops renewing (its silo died) is released after <see cref="CreditLease.Lifetime"/>.
/// The holders are known, because they may be holding charges not yet sent (see <see cref="Holders"/>).
/// </summary>
public sealed class CreditLeases(Credits credits)
{
    public const int Headroom = 64;

    private readonly Dictionary<long, (DateTimeOffset Expiry, string Holder)> leases = [];

    public int Count => leases.Count;

    /// <summary>The key ids holding a lease.</summary>
    public IEnumerable<string> Holders => leases.Values.Select(lease => lease.Holder).Distinct();

    /// <summary>
    /// Releases <paramref name="previous"/> and sets aside what is in flight plus as much of what is wanted as the room
    /// allows, unless that is less than <paramref name="smallestMicros"/> (the request that asked): then nothing more,
    /// so that the request can reserve on its own what room there is.
    /// </summary>
    public CreditLease Replace(string holder, long previous, long inFlightMicros, long wantedMicros, long smallestMicros, DateTimeOffset now)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(inFlightMicros);
        ArgumentOutOfRangeException.ThrowIfNegative(wantedMicros);
        Release(previous);
        var room = Math.Min(wantedMicros, Math.Max(0, (credits.Available - inFlightMicros) / Headroom));
        var granted = room >= smallestMicros ? room : 0;
        var amount = inFlightMicros + granted;
        if (amount == 0)
        {
            return CreditLease.None;
        }

        // The in-flight part was held by the previous lease a moment ago, so it is held again whatever is free now.
        var id = credits.Hold(amount);
        leases[id] = (now + CreditLease.Lifetime, holder);
        return new CreditLease(id, granted);
    }

    /// <summary>A leased request's charge came: its share of the lease is spent.</summary>
    public void Spend(long lease, long shareMicros)
    {
        if (shareMicros > 0 && leases.ContainsKey(lease))
        {
            credits.Shrink(lease, shareMicros);
        }
    }

    public void Release(long lease)
    {
        if (leases.Remove(lease))
        {
            credits.Release(lease);
        }
    }

    public void ReleaseExpired(DateTimeOffset now)
    {
        foreach (var (lease, (expiry, _)) in leases.ToList())
        {
            if (expiry <= now)
            {
                Release(lease);
            }
        }
    }
}
