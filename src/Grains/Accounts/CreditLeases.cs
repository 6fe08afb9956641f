using DosAi.Orleans.Grains.Interfaces.Accounts;

namespace DosAi.Orleans.Grains.Accounts;

/// <summary>
/// Keys' credit leases: reservations a key spends on its requests in flight without asking the account
/// each time (one grain call less per request). New room is granted only while the free balance is at
/// least <see cref="Headroom"/> times larger, so leases never hold more than a small part of what other
/// keys of the account could spend; below that, keys reserve request by request, exactly as before.
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

    /// <summary>Releases <paramref name="previous"/> and sets aside what is in flight plus, room permitting, what is wanted.</summary>
    public CreditLease Replace(string holder, long previous, long inFlightMicros, long wantedMicros, DateTimeOffset now)
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
        leases[id] = (now + CreditLease.Lifetime, holder);
        return new CreditLease(id, granted);
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
