using Microsoft.Extensions.DependencyInjection;
using DosAi.Orleans.Grains.Accounts;
using DosAi.Orleans.Grains.Interfaces.Accounts;
using DosAi.Orleans.Grains.Interfaces.ApiKeys;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace DosAi.Orleans.Grains.ApiKeys;

/// <summary>
/// The window is exact in memory and written behind (a per-second summary, with the last-used time). A
/// new activation restores it. Writes happen on a timer tick only once forgetting the unsaved admissions
/// could matter: when they reach 1% of either limit, or five minutes have passed (and on deactivation).
/// So a crash forgets at most 1% of the limit plus one write-behind interval of admissions, while keys
/// far below their limits cost one write every five minutes instead of one a second. Limits come from the account (at
/// activation and whenever the plan changes). Credits come from a lease the account sets aside for the key
/// (<see cref="KeyCreditLease"/>), so most admissions need no call to the account, and neither do their
/// settlements: the charges of leased requests are sent to the account together, on the next tick or
/// once <see cref="MostUnsentCharges"/> have gathered, or when the account reads its balance. Until
/// then each keeps its share of the lease held, so the account's free balance never counts it as spendable.
/// </summary>
public sealed class ApiKeyGrain(
    [PersistentState("apikey", StorageNames.Default)] IPersistentState<ApiKeyState> state,
    [PersistentState("apikeyactivity", StorageNames.Default)] IPersistentState<ApiKeyActivity> activity,
    IOptions<WriteBehindOptions> writeBehind,
    [FromKeyedServices(GrainClock.Key)] TimeProvider time,
    KeysWithUnsentCharges holders,
    ILogger<ApiKeyGrain> logger) : Grain, IApiKeyGrain
{
    private readonly SlidingWindowLog window = new();
    private static readonly TimeSpan LongestUnsaved = TimeSpan.FromMinutes(5);
    private const int MostUnsentCharges = 64;

    private PlanLimits? limits;
    private IAccountGrain? account;
    private IApiKeyGrain? self;
    private readonly KeyCreditLease lease = new();
    private List<UnsentCharge> unsentCharges = [];
    private readonly WriteBehindTimer ticks = new(writeBehind.Value.WriteBehindInterval);
    private int unsavedRequests;
    private long unsavedTokens;
    private DateTimeOffset lastSaved;

    private bool Active => state.State.AccountId is not null && !state.State.Deleted;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (Active)
        {
            limits = await Account.GetLimits();
            window.Restore(activity.State.Window, time.GetUtcNow());
        }

        // Interleaved: admissions go on while the activity is being written (only the timer writes it).
        lastSaved = time.GetUtcNow();
        ticks.Attach(this.RegisterGrainTimer(Tick, new GrainTimerCreationOptions(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan) { Interleave = true }));
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        await SendCharges();
        await ReleaseLease();
        await SaveActivity(force: true, cancellationToken);
    }

    // Resolved once: GetGrain by string reflects over the interface on every call (measured ~1.5% CPU per request).
    private IAccountGrain Account => account ??= GrainFactory.GetGrain<IAccountGrain>(state.State.AccountId!);

    // AsReference reflects over the interface's attributes on every call, as GetGrain does.
    private IApiKeyGrain Self => self ??= this.AsReference<IApiKeyGrain>();

    public async Task<KeyInfo> Initialize(string accountId, string keyId, string name, string hint, PlanLimits planLimits)
    {
        if (state.State.AccountId is not null)
        {
            throw new InvalidOperationException("This key is already registered.");
        }

        state.State.AccountId = accountId;
        state.State.KeyId = keyId;
        state.State.Name = name;
        state.State.Hint = hint;
        state.State.CreatedAt = time.GetUtcNow();
        await state.WriteStateAsync();
        limits = planLimits;
        return Info();
    }

    public async Task<Admission> Admit(AdmissionRequest request)
    {
        if (!Active || limits is null)
        {
            return new Admission(AdmissionOutcome.InvalidKey, null, TimeSpan.Zero, default);
        }

        var now = time.GetUtcNow();
        var decision = window.TryAdmit(now, request.EstimatedTokens, limits.RequestsPerMinute, limits.TokensPerMinute);
        var outcome = decision.Verdict switch
        {
            WindowVerdict.Admitted => AdmissionOutcome.Admitted,
            WindowVerdict.RequestsExceeded => AdmissionOutcome.RequestsExceeded,
            WindowVerdict.TokensExceeded => AdmissionOutcome.TokensExceeded,
            _ => AdmissionOutcome.RequestTooLarge,
        };
        if (outcome != AdmissionOutcome.Admitted)
        {
            return new Admission(outcome, Snapshot(now), decision.RetryAfter, default);
        }

        var cost = request.EstimatedCostMicros;
        await lease.PendingRenewal;
        if (lease.ShouldRenewFor(cost, now))
        {
            await RenewLease(lease.WantedFor(cost), now);
        }

        long reservation = 0, leased = 0;
        if (lease.TryTake(cost, now))
        {
            leased = cost;
        }
        else
        {
            reservation = await Account.Reserve(cost);
            if (reservation == 0)
            {
                window.Retract(decision.EntryId);
                return new Admission(AdmissionOutcome.InsufficientCredits, Snapshot(now), TimeSpan.Zero, default);
            }
        }

        activity.State.LastUsedAt = now;
        ticks.Soon();
        unsavedRequests++;
        unsavedTokens += request.EstimatedTokens;
        return new Admission(AdmissionOutcome.Admitted, Snapshot(now), TimeSpan.Zero,
            new AdmissionTicket(decision.EntryId, reservation, state.State.KeyId, leased, lease.Epoch));
    }

    public async Task Settle(Settlement settlement)
    {
        var ticket = settlement.Ticket;
        window.Reconcile(ticket.WindowEntry, settlement.PromptTokens + settlement.CompletionTokens);
        if (state.State.AccountId is null)
        {
            lease.Return(ticket.LeasedMicros, ticket.LeaseEpoch);
            return;
        }

        var unsent = new UnsentCharge(settlement.Model, settlement.PromptTokens, settlement.CompletionTokens, settlement.CostMicros, time.GetUtcNow(), ticket.LeasedMicros, ticket.LeaseEpoch);
        if (ticket.LeasedMicros == 0)
        {
            await Account.Settle(ticket.Reservation, unsent.ToCharge(state.State.KeyId!));
            return;
        }

        unsentCharges.Add(unsent);
        if (unsentCharges.Count == 1)
        {
            holders.Add(this.GetGrainId(), Self);
        }

        ticks.Soon();
        if (unsentCharges.Count >= MostUnsentCharges || holders.SiloStopping)
        {
            await SendCharges();
        }
    }

    public async Task SendCharges()
    {
        if (unsentCharges.Count == 0)
        {
            return;
        }

        var sending = unsentCharges;
        unsentCharges = [];
        holders.Remove(this.GetGrainId());
        try
        {
            // A loop, not LINQ over a capturing lambda: this runs once a second in every busy key.
            var charges = new Charge[sending.Count];
            for (var index = 0; index < charges.Length; index++)
            {
                charges[index] = sending[index].ToCharge(state.State.KeyId!);
            }

            await Account.SettleCharges(charges);
        }
        catch (Exception exception)
        {
            // Not retried: the account may have applied them before the failure reached us, and a charge
            // applied twice is worse than one lost. The amounts are in the log for reconciliation.
            logger.LogError(exception, "Charges of key {KeyId} did not reach the account: {Requests} requests, {CostMicros} micro-USD",
                state.State.KeyId, sending.Count, sending.Sum(unsent => unsent.CostMicros));
        }

        foreach (var unsent in sending)
        {
            lease.Return(unsent.Leased, unsent.LeaseEpoch);
        }
    }

    public Task<KeyInfo?> GetInfo() => Task.FromResult(Active ? Info() : null);

    public async Task Revoke()
    {
        state.State.Deleted = true;
        await state.WriteStateAsync();
        await SendCharges();
        await ReleaseLease();
    }

    public Task SetLimits(PlanLimits planLimits)
    {
        limits = planLimits;
        return Task.CompletedTask;
    }

    /// <summary>
    /// Every interval while the key holds a lease (to renew or give it back) or charges, or admits requests;
    /// otherwise once more when unsaved admissions reach their five-minute deadline, then not at all.
    /// </summary>
    private async Task Tick(CancellationToken cancellationToken)
    {
        await SendCharges();
        await TendLease();
        await SaveActivity(force: false, cancellationToken);
        ticks.Next(lease.Held || unsentCharges.Count > 0 ? ticks.Interval
            : unsavedRequests > 0 ? lastSaved + LongestUnsaved - time.GetUtcNow()
            : null);
    }

    /// <summary>Timer: keeps a lease with requests in flight alive, and gives an idle one back.</summary>
    private async Task TendLease()
    {
        var now = time.GetUtcNow();
        if (!lease.PendingRenewal.IsCompleted || !lease.Held)
        {
            return;
        }

        if (lease.IsIdle(now))
        {
            await ReleaseLease();
        }
        else if (lease.IsDue(now))
        {
            await RenewLease(lease.WantedFor(0), now);
        }
    }

    /// <summary>One renewal at a time: admissions wait for it rather than spend a lease that is being replaced.</summary>
    private Task RenewLease(long wanted, DateTimeOffset now) =>
        lease.PendingRenewal is { IsCompleted: false } pending ? pending : lease.Renewing = RenewLeaseOnce(wanted, now);

    private async Task RenewLeaseOnce(long wanted, DateTimeOffset now)
    {
        var inFlight = lease.InFlight;
        try
        {
            lease.Replaced(await Account.Lease(state.State.KeyId!, lease.Id, inFlight, wanted), inFlight, now);
        }
        catch (Exception exception)
        {
            // The account did not answer: requests reserve one by one until a renewal succeeds.
            lease.Failed(now);
            logger.LogWarning(exception, "Credit lease renewal for key {KeyId} failed", state.State.KeyId);
        }
    }

    private async Task ReleaseLease()
    {
        await lease.PendingRenewal;
        var id = lease.Surrender();
        // A stopping silo takes its accounts' leases with it, or their accounts drop them within a minute:
        // thousands of keys calling accounts that are deactivating too would only slow the shutdown.
        if (id == 0 || state.State.AccountId is null || holders.SiloStopping)
        {
            return;
        }

        try
        {
            await Account.ReleaseLease(id);
        }
        catch (Exception exception)
        {
            // The account drops leases nobody renews after a minute.
            logger.LogWarning(exception, "Giving back the credit lease of key {KeyId} failed", state.State.KeyId);
        }
    }

    private async Task SaveActivity(bool force, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var worthSaving = unsavedRequests > 0 && (force || now - lastSaved >= LongestUnsaved
            || (limits is not null && (unsavedRequests * 100L >= limits.RequestsPerMinute || unsavedTokens * 100 >= limits.TokensPerMinute)));
        if (!worthSaving)
        {
            return;
        }

        var (requests, tokens) = (unsavedRequests, unsavedTokens);
        (unsavedRequests, unsavedTokens, lastSaved) = (0, 0, now);
        activity.State.Window = [.. window.Summarize(now)];
        try
        {
            await activity.WriteStateAsync(cancellationToken);
        }
        catch (Exception exception)
        {
            unsavedRequests += requests;
            unsavedTokens += tokens;
            logger.LogWarning(exception, "Write-behind of key {KeyId} failed; retrying on the next tick", state.State.KeyId);
        }
    }

    private RateLimitSnapshot Snapshot(DateTimeOffset now) => new(
        limits!.RequestsPerMinute,
        window.Count,
        window.TimeUntilEmpty(now),
        limits.TokensPerMinute,
        window.Tokens,
        window.TimeUntilNoTokens(now));

    private KeyInfo Info() => new(state.State.KeyId!, state.State.AccountId!, state.State.Name, state.State.Hint, state.State.CreatedAt, activity.State.LastUsedAt);

    /// <summary>
    /// A leased request's charge waiting to be sent, with the lease share it keeps held until then. A value,
    /// not a <see cref="Charge"/> object: held up to a write-behind interval, objects survived gen0 GCs.
    /// </summary>
    private readonly record struct UnsentCharge(string? Model, long PromptTokens, long CompletionTokens, long CostMicros, DateTimeOffset At, long Leased, long LeaseEpoch)
    {
        public Charge ToCharge(string keyId) => new(keyId, Model, PromptTokens, CompletionTokens, CostMicros, At);
    }
}
