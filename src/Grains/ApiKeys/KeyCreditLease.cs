using DosAi.Orleans.Grains.Interfaces.Accounts;

namespace DosAi.Orleans.Grains.ApiKeys;

/// <summary>
/// The key's side of its credit lease (see <see cref="Accounts.CreditLeases"/>): what is free, what its
/// requests hold until their charges reach the account (which spend it), and when to renew. Room is never
/// free twice: a request's share leaves the lease with its charge, and only a renewal brings new room.
/// Pure bookkeeping; the grain makes the account calls.
/// </summary>
public sealed class KeyCreditLease
{
    /// <summary>Room for at least this many requests of the size that asked.</summary>
    public const int RequestsPerLease = 16;

    // Far beyond any account's balance, and far from overflowing what the account computes with it.
    private const long MostWanted = long.MaxValue / 4;

    private static readonly TimeSpan IdleRelease = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan RetryAfterRefusal = TimeSpan.FromSeconds(1);

    private DateTimeOffset renewAt;
    private DateTimeOffset usableUntil;
    private DateTimeOffset refusedUntil;
    private DateTimeOffset lastTaken;
    private DateTimeOffset grantedAt;
    private long takenSinceGrant;
    private long lastCost;

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

    /// <summary>
    /// Room for <see cref="RequestsPerLease"/> requests like the one asking (the timer's renewal: like the last one), for what
    /// the key spent since the last grant at that pace over a whole <see cref="CreditLease.RenewAfter"/> (so a busy
    /// key renews about that rarely), and for as much again as is in flight, whichever is most.
    /// </summary>
    public long WantedFor(long cost, DateTimeOffset now) =>
        Math.Max(Math.Max(Math.Min(cost > 0 ? cost : lastCost, MostWanted / RequestsPerLease) * RequestsPerLease, Pace(now)), InFlight);

    private long Pace(DateTimeOffset now)
    {
        if (!Held || takenSinceGrant == 0)
        {
            return 0;
        }

        var seconds = Math.Max((now - grantedAt).TotalSeconds, 1); // a burst right after a grant is not a pace
        return (long)Math.Min(takenSinceGrant * (CreditLease.RenewAfter.TotalSeconds / seconds), MostWanted);
    }

    public bool CanTake(long cost, DateTimeOffset now) => cost > 0 && Held && Free >= cost && now < usableUntil;

    public bool TryTake(long cost, DateTimeOffset now)
    {
        if (!CanTake(cost, now))
        {
            return false;
        }

        Free -= cost;
        InFlight += cost;
        takenSinceGrant += cost;
        lastCost = cost;
        lastTaken = now;
        return true;
    }

    /// <summary>
    /// A request's charge reached the account (or never will): the account's lease no longer holds its share, and
    /// neither does this one (unless it belongs to a lease given back since). The share is spent, not free again.
    /// </summary>
    public void Spent(long leased, long epoch)
    {
        if (leased <= 0 || epoch != Epoch || !Held)
        {
            return;
        }

        InFlight -= Math.Min(leased, InFlight);
    }

    /// <summary>
    /// The account replaced the lease: it holds what was in flight when asked plus the room granted, and only the
    /// room is free (nothing is taken while a renewal is under way). A charge that reached the account during the
    /// renewal is held again in the new lease without being in flight here: the account holds a little more than
    /// this side spends until the next renewal, never less.
    /// </summary>
    /// <param name="smallestUseful">Less room than this (the request that asked) counts as refused.</param>
    public void Replaced(CreditLease lease, long smallestUseful, DateTimeOffset now)
    {
        Id = lease.Id;
        Free = Held ? lease.GrantedMicros : 0;
        grantedAt = now;
        takenSinceGrant = 0;
        renewAt = now + CreditLease.RenewAfter;
        usableUntil = now + 2 * CreditLease.RenewAfter;
        if (lease.GrantedMicros == 0 || lease.GrantedMicros < smallestUseful)
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
