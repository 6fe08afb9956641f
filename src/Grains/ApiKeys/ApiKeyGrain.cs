using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.DependencyInjection;
using DosAi.Orleans.Grains.Accounts;
using DosAi.Orleans.Grains.Interfaces.Accounts;
using DosAi.Orleans.Grains.Interfaces.ApiKeys;
using Microsoft.Extensions.Logging;

namespace DosAi.Orleans.Grains.ApiKeys;

/// <summary>
/// The window is exact in memory and written behind (a per-second summary, with the last-used time). A
/// new activation restores it. Writes happen in a turn the silo's <see cref="ApiKeyTicker"/> asks for only
/// once forgetting the unsaved admissions could matter: when they reach 1% of either limit, or five minutes
/// have passed (and on deactivation). So a crash forgets at most 1% of the limit plus one write-behind
/// interval of admissions, while keys far below their limits cost one write every five minutes instead of
/// one a second. Limits come from the account (at activation and whenever the plan changes). Credits come
/// from a lease the account sets aside for the key (<see cref="KeyCreditLease"/>), so most admissions need
/// no call to the account, and neither do their settlements: the charges of leased requests are held, and
/// the ticker takes them to the account with those of its other keys on its next visit; the key sends them
/// itself once <see cref="MostUnsentCharges"/> have gathered, or when the account reads its balance. Until
/// then each keeps its share of the lease held, so the account's free balance never counts it as spendable.
/// A gateway in the same process admits and settles through <see cref="ICoHostedApiKey"/> whatever needs
/// no account call, so every piece of state both paths touch is read and written under <see cref="gate"/>.
/// </summary>
public sealed class ApiKeyGrain(
    [PersistentState("apikey", StorageNames.Default)] IPersistentState<ApiKeyState> state,
    [PersistentState("apikeyactivity", StorageNames.Default)] IPersistentState<ApiKeyActivity> activity,
    [FromKeyedServices(GrainClock.Key)] TimeProvider time,
    ApiKeyTicker ticker,
    CoHostedApiKeys coHosted,
    ILogger<ApiKeyGrain> logger) : Grain, IApiKeyGrain, ICoHostedApiKey
{
    private readonly Lock gate = new();
    private readonly SlidingWindowLog window = new();
    private static readonly TimeSpan LongestUnsaved = TimeSpan.FromMinutes(5);
    private const int MostUnsentCharges = 64;

    private PlanLimits? limits;
    private IAccountGrain? account;
    private IApiKeyGrain? self;
    private readonly KeyCreditLease lease = new();
    private List<UnsentCharge> unsentCharges = [];
    // The list the last charges left in, back from their batch: the next to fill. A new list per visit
    // was a young object in this old grain, which every gen0 GC scanned and promoted.
    private List<UnsentCharge>? spareCharges;
    private bool ticking;
    private bool tending;
    private int tickerSlice;
    private int unsavedRequests;
    private long unsavedTokens;
    private DateTimeOffset lastSaved;
    private DateTimeOffset? lastUsedAt;
    private bool deactivating;
    // Asked to admit a request since its activation (whatever came of it): such a key stays for the idle time.
    private bool servedRequests;

    // Copies of the stored state that the in-process path and the ticker read: only the grain's own turns may touch the state.
    private string? keyId;
    private string? accountId;
    private bool revoked;

    /// <summary>Registered (it has a key id once its account initialized it) and not deleted.</summary>
    private bool Active => keyId is not null && !revoked;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        (keyId, revoked, lastUsedAt) = (state.State.KeyId, state.State.Deleted, activity.State.LastUsedAt);
        if (state.State.AccountId is { } owner)
        {
            BelongTo(owner);
        }

        if (Active)
        {
            limits = await Account.GetLimits();
            window.Restore(activity.State.Window, time.GetUtcNow());
        }

        lastSaved = WriteBehindPhase.PeriodStart(time.GetUtcNow(), LongestUnsaved);
        self = this.AsReference<IApiKeyGrain>();
        coHosted.Add(this.GetGrainId().Key, this);
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        lock (gate)
        {
            deactivating = true;
            StopTicking();
        }

        coHosted.Remove(this.GetGrainId().Key, this);
        await SendCharges();
        await ReleaseLease();
        await SaveActivity(force: true, cancellationToken);
    }

    private IAccountGrain Account => account!;

    /// <summary>This grain as a grain reference; resolved at activation, since AsReference reflects over the interface's attributes on every call.</summary>
    internal IApiKeyGrain Reference => self!;

    /// <summary>Resolved once: GetGrain by string reflects over the interface on every call (measured ~1.5% CPU per request).</summary>
    private void BelongTo(string owner)
    {
        (accountId, account, tickerSlice) = (owner, GrainFactory.GetGrain<IAccountGrain>(owner), ApiKeyTicker.SliceOf(owner));
    }

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
        lock (gate)
        {
            BelongTo(accountId);
            (this.keyId, limits) = (keyId, planLimits);
            LeaveUnlessServingRequests();
            return Info();
        }
    }

    public async Task<Admission> Admit(AdmissionRequest request)
    {
        DateTimeOffset now;
        WindowDecision decision;
        lock (gate)
        {
            if (!Active || limits is null)
            {
                LeaveIfNeverRegistered();
                return new Admission(AdmissionOutcome.InvalidKey, null, TimeSpan.Zero, default);
            }

            servedRequests = true;
            now = time.GetUtcNow();
            decision = window.TryAdmit(now, request.EstimatedTokens, limits.RequestsPerMinute, limits.TokensPerMinute);
            if (decision.Verdict != WindowVerdict.Admitted)
            {
                return Refused(decision, now);
            }
        }

        var cost = request.EstimatedCostMicros;
        await lease.PendingRenewal;
        bool renew;
        lock (gate)
        {
            renew = lease.ShouldRenewFor(cost, now);
        }

        if (renew)
        {
            await RenewLease(cost, now);
        }

        lock (gate)
        {
            if (lease.TryTake(cost, now))
            {
                return Admitted(request, decision, now, reservation: 0, leased: cost);
            }
        }

        var reservation = await Account.Reserve(cost);
        lock (gate)
        {
            if (reservation != 0)
            {
                return Admitted(request, decision, now, reservation, leased: 0);
            }

            window.Retract(decision.EntryId);
            return new Admission(AdmissionOutcome.InsufficientCredits, Snapshot(now), TimeSpan.Zero, default);
        }
    }

    /// <summary>The admission when it is decided by the window and the lease alone; the grain call otherwise.</summary>
    public bool Exists
    {
        get
        {
            lock (gate)
            {
                return Active;
            }
        }
    }

    public bool TryAdmit(AdmissionRequest request, [NotNullWhen(true)] out Admission? admission)
    {
        admission = null;
        var cost = request.EstimatedCostMicros;
        lock (gate)
        {
            var now = time.GetUtcNow();
            if (deactivating || !Active || limits is null || !lease.PendingRenewal.IsCompleted
                || lease.ShouldRenewFor(cost, now) || !lease.CanTake(cost, now))
            {
                return false;
            }

            servedRequests = true;
            var decision = window.TryAdmit(now, request.EstimatedTokens, limits.RequestsPerMinute, limits.TokensPerMinute);
            admission = decision.Verdict != WindowVerdict.Admitted ? Refused(decision, now)
                : lease.TryTake(cost, now) ? Admitted(request, decision, now, reservation: 0, leased: cost)
                : throw new InvalidOperationException("The lease could not give what it said it could.");
            return true;
        }
    }

    private Admission Refused(WindowDecision decision, DateTimeOffset now)
    {
        var outcome = decision.Verdict switch
        {
            WindowVerdict.RequestsExceeded => AdmissionOutcome.RequestsExceeded,
            WindowVerdict.TokensExceeded => AdmissionOutcome.TokensExceeded,
            _ => AdmissionOutcome.RequestTooLarge,
        };
        return new Admission(outcome, Snapshot(now), decision.RetryAfter, default);
    }

    /// <summary>Under <see cref="gate"/>: the window already holds the request.</summary>
    private Admission Admitted(AdmissionRequest request, WindowDecision decision, DateTimeOffset now, long reservation, long leased)
    {
        lastUsedAt = now;
        StartTicking();
        unsavedRequests++;
        unsavedTokens += request.EstimatedTokens;
        return new Admission(AdmissionOutcome.Admitted, Snapshot(now), TimeSpan.Zero,
            new AdmissionTicket(decision.EntryId, reservation, keyId, leased, lease.Epoch));
    }

    public async Task Settle(Settlement settlement)
    {
        var ticket = settlement.Ticket;
        var leased = ticket.LeasedMicros != 0;
        var sendNow = false;
        lock (gate)
        {
            window.Reconcile(ticket.WindowEntry, settlement.PromptTokens + settlement.CompletionTokens);
            if (keyId is null)
            {
                lease.Spent(ticket.LeasedMicros, ticket.LeaseEpoch);
                return;
            }

            if (leased)
            {
                Hold(settlement);
                sendNow = unsentCharges.Count >= MostUnsentCharges || ticker.SiloStopping;
            }
        }

        if (!leased)
        {
            await Account.Settle(ticket.Reservation, Unsent(settlement).ToCharge(keyId));
        }
        else if (sendNow)
        {
            await SendCharges();
        }
    }

    /// <summary>A leased request's settlement, held for the next tick; the grain call when it must reach the account now.</summary>
    public bool TrySettle(Settlement settlement)
    {
        var ticket = settlement.Ticket;
        if (ticket.LeasedMicros == 0)
        {
            return false;
        }

        lock (gate)
        {
            if (deactivating || keyId is null || ticker.SiloStopping || unsentCharges.Count + 1 >= MostUnsentCharges)
            {
                return false;
            }

            window.Reconcile(ticket.WindowEntry, settlement.PromptTokens + settlement.CompletionTokens);
            Hold(settlement);
            return true;
        }
    }

    /// <summary>Under <see cref="gate"/>.</summary>
    private void Hold(Settlement settlement)
    {
        unsentCharges.Add(Unsent(settlement));
        StartTicking();
    }

    /// <summary>Under <see cref="gate"/> for a leased request: the lease holding its share is the current one if its epoch is.</summary>
    private UnsentCharge Unsent(Settlement settlement)
    {
        var ticket = settlement.Ticket;
        var leaseId = ticket.LeasedMicros != 0 && ticket.LeaseEpoch == lease.Epoch ? lease.Id : 0;
        return new(settlement.Model, settlement.PromptTokens, settlement.CompletionTokens, settlement.CostMicros, time.GetUtcNow(),
            ticket.LeasedMicros, ticket.LeaseEpoch, leaseId);
    }

    public async Task SendCharges()
    {
        List<UnsentCharge>? sending;
        Task onTheirWay;
        lock (gate)
        {
            sending = unsentCharges.Count != 0 ? TakeUnsentCharges() : null;
            onTheirWay = accountId is null ? Task.CompletedTask : ticker.ChargesOnTheirWay(accountId);
        }

        await onTheirWay; // a read asking for them must see the ticker's too
        if (sending is not null)
        {
            var batch = new AccountChargeBatch(accountId!, Account);
            batch.Add(this, keyId!, sending);
            await batch.Send(logger);
        }
    }

    /// <summary>The account has these charges (or will never get them): their lease shares are spent.</summary>
    internal void ChargesSent(List<UnsentCharge> sent)
    {
        lock (gate)
        {
            foreach (var unsent in sent)
            {
                lease.Spent(unsent.Leased, unsent.LeaseEpoch);
            }

            sent.Clear();
            spareCharges ??= sent;
        }
    }

    /// <summary>Under <see cref="gate"/>: the held charges leave, to come back through <see cref="ChargesSent"/>.</summary>
    private List<UnsentCharge> TakeUnsentCharges()
    {
        var taken = unsentCharges;
        unsentCharges = spareCharges ?? [];
        spareCharges = null;
        return taken;
    }

    internal bool HoldsCharges
    {
        get
        {
            lock (gate)
            {
                return unsentCharges.Count != 0;
            }
        }
    }

    /// <summary>
    /// The ticker's visit: hands the held charges to their account's batch, and says whether the key needs a
    /// turn of its own (<see cref="Tend"/>): to save, or, when the visit tends leases, to renew or give back
    /// its lease. Until the ticker reports that turn over (<see cref="Tended"/>) it asks for no other. A key
    /// with nothing left to tend leaves the ticker until it has.
    /// </summary>
    internal bool OnTick(Dictionary<string, AccountChargeBatch> batches, bool tendLease)
    {
        lock (gate)
        {
            if (deactivating)
            {
                return false;
            }

            if (unsentCharges.Count != 0)
            {
                ticker.BatchFor(batches, accountId!, Account).Add(this, keyId!, TakeUnsentCharges());
            }

            var now = time.GetUtcNow();
            var renewing = !lease.PendingRenewal.IsCompleted;
            if (tending)
            {
                return false;
            }

            tending = (tendLease && !renewing && (lease.IsIdle(now) || lease.IsDue(now))) || WorthSaving(now, force: false);
            if (!tending && !renewing && !lease.Held && unsavedRequests == 0)
            {
                StopTicking();
            }

            return tending;
        }
    }

    internal void Tended()
    {
        lock (gate)
        {
            tending = false;
        }
    }

    /// <summary>Under <see cref="gate"/>: something for the ticker to tend has appeared.</summary>
    private void StartTicking()
    {
        if (!ticking && !deactivating && accountId is not null)
        {
            ticking = true;
            ticker.Add(this, tickerSlice);
        }
    }

    /// <summary>Under <see cref="gate"/>.</summary>
    private void StopTicking()
    {
        if (ticking)
        {
            ticking = false;
            ticker.Remove(this, tickerSlice);
        }
    }

    public Task<KeyInfo?> GetInfo()
    {
        lock (gate)
        {
            LeaveUnlessServingRequests();
            return Task.FromResult(Active ? Info() : null);
        }
    }

    public Task<bool> IsLive()
    {
        lock (gate)
        {
            LeaveIfNeverRegistered();
            return Task.FromResult(Active);
        }
    }

    /// <summary>
    /// A key that was never created (a made-up one that passed the checksum) deactivates once it has answered:
    /// kept for the usual idle time, every invented key would hold an activation (~4 KB; 60,000 of them in 20 s
    /// added 264 MB), a memory leak for anyone to drive. A deleted key stays, answering from memory.
    /// </summary>
    private void LeaveIfNeverRegistered()
    {
        if (keyId is null)
        {
            DeactivateOnIdle();
        }
    }

    /// <summary>
    /// Under <see cref="gate"/>. Creating, listing and changing the plan of an account's keys reach every one of
    /// them, and an account may have any number: a key that has served no request since its activation leaves once
    /// it has answered (a key not active reads its plan at activation anyway), so that creating or listing 100,000
    /// keys does not hold 100,000 activations for the idle time.
    /// </summary>
    private void LeaveUnlessServingRequests()
    {
        if (!servedRequests)
        {
            DeactivateOnIdle();
        }
    }

    public async Task Revoke()
    {
        lock (gate)
        {
            state.State.Deleted = revoked = true;
        }

        await state.WriteStateAsync();
        await SendCharges();
        await ReleaseLease();
    }

    public Task SetLimits(PlanLimits planLimits)
    {
        lock (gate)
        {
            limits = planLimits;
            LeaveUnlessServingRequests();
        }

        return Task.CompletedTask;
    }

    /// <summary>When the ticker finds the lease due or idle on a visit that tends leases, or the admissions worth saving.</summary>
    public async Task Tend(bool tendLease)
    {
        if (tendLease)
        {
            await TendLease();
        }

        await SaveActivity(force: false, CancellationToken.None);
    }

    /// <summary>Keeps a lease with requests in flight alive, and gives an idle one back.</summary>
    private async Task TendLease()
    {
        var now = time.GetUtcNow();
        long surrendered = 0;
        bool renew;
        lock (gate)
        {
            if (!lease.PendingRenewal.IsCompleted || !lease.Held)
            {
                return;
            }

            // Checked and given up in one step: nothing may be taken from a lease between the two.
            if (lease.IsIdle(now))
            {
                surrendered = lease.Surrender();
            }

            renew = surrendered == 0 && lease.IsDue(now);
        }

        if (surrendered != 0)
        {
            await GiveBack(surrendered);
        }
        else if (renew)
        {
            await RenewLease(0, now);
        }
    }

    /// <summary>One renewal at a time: admissions wait for it rather than spend a lease that is being replaced.</summary>
    private Task RenewLease(long cost, DateTimeOffset now)
    {
        lock (gate)
        {
            return lease.PendingRenewal is { IsCompleted: false } pending ? pending : lease.Renewing = RenewLeaseOnce(lease.WantedFor(cost, now), cost, now);
        }
    }

    /// <summary>Starts under <see cref="gate"/> (from <see cref="RenewLease"/>), so nothing is taken between reading what is in flight and asking.</summary>
    private async Task RenewLeaseOnce(long wanted, long smallestUseful, DateTimeOffset now)
    {
        var inFlight = lease.InFlight;
        try
        {
            var renewed = await Account.Lease(state.State.KeyId!, lease.Id, inFlight, wanted, smallestUseful);
            lock (gate)
            {
                lease.Replaced(renewed, smallestUseful, now);
                StartTicking(); // to renew it or give it back, whatever comes of the admission
            }
        }
        catch (Exception exception)
        {
            // The account did not answer: requests reserve one by one until a renewal succeeds.
            lock (gate)
            {
                lease.Failed(now);
            }

            logger.LogWarning(exception, "Credit lease renewal for key {KeyId} failed", state.State.KeyId);
        }
    }

    private async Task ReleaseLease()
    {
        await lease.PendingRenewal;
        long id;
        lock (gate)
        {
            id = lease.Surrender();
        }

        await GiveBack(id);
    }

    private async Task GiveBack(long leaseId)
    {
        // A stopping silo takes its accounts' leases with it, or their accounts drop them within a minute:
        // thousands of keys calling accounts that are deactivating too would only slow the shutdown.
        if (leaseId == 0 || accountId is null || ticker.SiloStopping)
        {
            return;
        }

        try
        {
            await Account.ReleaseLease(leaseId);
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
        int requests;
        long tokens;
        lock (gate)
        {
            if (!WorthSaving(now, force))
            {
                return;
            }

            (requests, tokens) = (unsavedRequests, unsavedTokens);
            (unsavedRequests, unsavedTokens, lastSaved) = (0, 0, now);
            activity.State.Window = [.. window.Summarize(now)];
            activity.State.LastUsedAt = lastUsedAt;
        }

        try
        {
            await activity.WriteStateAsync(cancellationToken);
        }
        catch (Exception exception)
        {
            lock (gate)
            {
                unsavedRequests += requests;
                unsavedTokens += tokens;
            }

            logger.LogWarning(exception, "Write-behind of key {KeyId} failed; retrying on the next tick", state.State.KeyId);
        }
    }

    /// <summary>Under <see cref="gate"/>.</summary>
    private bool WorthSaving(DateTimeOffset now, bool force) =>
        unsavedRequests > 0 && (force || now - lastSaved >= LongestUnsaved
            || (limits is not null && (unsavedRequests * 100L >= limits.RequestsPerMinute || unsavedTokens * 100 >= limits.TokensPerMinute)));

    private RateLimitSnapshot Snapshot(DateTimeOffset now) => new(
        limits!.RequestsPerMinute,
        window.Count,
        window.TimeUntilEmpty(now),
        limits.TokensPerMinute,
        window.Tokens,
        window.TimeUntilNoTokens(now));

    private KeyInfo Info() => new(state.State.KeyId!, state.State.AccountId!, state.State.Name, state.State.Hint, state.State.CreatedAt, lastUsedAt);
}
