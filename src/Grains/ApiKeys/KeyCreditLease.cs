using DosAi.Orleans.Grains.Interfaces.Accounts;

namespace DosAi.Orleans.Grains.ApiKeys;

/// <summary>
/// The key's side of its credit lease (see <see cref="Accounts.CreditLeases"/>): what is free, what its
/// requests in flight hold, and when to renew. Pure bookkeeping; the grain makes the account calls.
/// </summary>
public sealed class KeyCreditLease
{
    /// <summary>Room for this many requests of the size that asked, so a busy key renews rarely.</summary>
    public const int RequestsPerLease = 16;

    private static readonly TimeSpan IdleRelease = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan RetryAfterRefusal = TimeSpan.FromSeconds(1);

    private DateTimeOffset renewAt;
    private DateTimeOffset usableUntil;
    private DateTimeOffset refusedUntil;
    private DateTimeOffset lastTaken;

    /// <summary>The account's id for the lease; 0 when none is held.</summary>
    public long Id { get; private set; }

    public long Free { get; private set; }

    public long InFlight { get; private set; }

    /// <summary>Changes whenever the lease is given back, and differs between activations.</summary>
    public long Epoch { get; private set; } = Random.Shared.NextInt64(1, long.MaxValue / 2);

    /// <summary>The latest renewal; nothing is taken from a lease while it is being replaced.</summary>
    public Task? Renewing { get; set; }

    /// <summary>The renewal under way, or a completed task when there is none.</summary>
    public Task PendingRenewal => Renewing is { IsCompleted: false } renewing ? renewing : Task.CompletedTask;

    public bool Held => Id != 0;

    public bool ShouldRenewFor(long cost, DateTimeOffset now) =>
        cost > 0 && now >= refusedUntil && (!Held || now >= renewAt || now >= usableUntil || Free < cost);

    /// <summary>For an admission: room for <see cref="RequestsPerLease"/> like it, or as much again as is in flight. For the timer: the same room again.</summary>
    public long WantedFor(long cost) => cost == 0 ? Free : Math.Max(cost * RequestsPerLease, InFlight);

    public bool CanTake(long cost, DateTimeOffset now) => cost > 0 && Held && Free >= cost && now < usableUntil;

    public bool TryTake(long cost, DateTimeOffset now)
    {
        if (!CanTake(cost, now))
        {
            return false;
        }

        Free -= cost;
        InFlight += cost;
        lastTaken = now;
        return true;
    }

    /// <summary>A request settled: what it held is free again (unless it belongs to a lease given back since).</summary>
    public void Return(long leased, long epoch)
    {
        if (leased <= 0 || epoch != Epoch || !Held)
        {
            return;
        }

        var back = Math.Min(leased, InFlight);
        InFlight -= back;
        Free += back;
    }

    /// <param name="inFlightSent">What was in flight when the renewal was asked for; requests settled since then free their part.</param>
    public void Replaced(CreditLease lease, long inFlightSent, DateTimeOffset now)
    {
        Id = lease.Id;
        Free = Held ? inFlightSent + lease.GrantedMicros - InFlight : 0;
        renewAt = now + CreditLease.RenewAfter;
        usableUntil = now + 2 * CreditLease.RenewAfter;
        if (lease.GrantedMicros == 0)
        {
            refusedUntil = now + RetryAfterRefusal;
        }
    }

    /// <summary>The account did not answer: stop spending the lease until a renewal succeeds.</summary>
    public void Failed(DateTimeOffset now)
    {
        usableUntil = now;
        refusedUntil = now + RetryAfterRefusal;
    }

    public bool IsIdle(DateTimeOffset now) => Held && InFlight == 0 && now - lastTaken >= IdleRelease;

    public bool IsDue(DateTimeOffset now) => Held && now >= renewAt;

    /// <returns>The id to give back to the account (0: none held).</returns>
    public long Surrender()
    {
        var id = Id;
        (Id, Free, InFlight) = (0, 0, 0);
        Epoch++;
        return id;
    }
}
