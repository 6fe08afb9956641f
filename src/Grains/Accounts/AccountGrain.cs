using Microsoft.Extensions.DependencyInjection;
using DosAi.Orleans.Grains.Interfaces;
using DosAi.Orleans.Grains.Interfaces.Accounts;
using DosAi.Orleans.Grains.Interfaces.ApiKeys;
using DosAi.Orleans.Grains.Accounting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace DosAi.Orleans.Grains.Accounts;

/// <summary>
/// Reserve, Settle and GetLimits never await and never touch the persisted state object, so they may
/// interleave with the account's own writes: that keeps key grains (which call them on every request)
/// from deadlocking with calls the account makes to its keys.
/// </summary>
public sealed class AccountGrain(
    [PersistentState("account", StorageNames.Default)] IPersistentState<AccountState> state,
    IAccountingStore accounting,
    IOptions<PlanOptions> plans,
    IOptions<WriteBehindOptions> writeBehind,
    [FromKeyedServices(GrainClock.Key)] TimeProvider time,
    ILogger<AccountGrain> logger) : Grain, IAccountGrain
{
    private readonly List<LedgerEntry> pendingLedger = [];
    private readonly Dictionary<(string KeyId, DateTimeOffset Minute), UsageBucket> pendingUsage = [];
    private Credits credits = new(0);
    private long lastLedgerSequence;
    private bool dirty;

    private bool Exists => state.RecordExists && state.State.Email is not null;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        credits = new Credits(state.State.BalanceMicros);
        lastLedgerSequence = state.State.LastLedgerSequence;
        await RecordBatches(cancellationToken);
        this.RegisterGrainTimer(Flush, new GrainTimerCreationOptions(writeBehind.Value.WriteBehindInterval, writeBehind.Value.WriteBehindInterval));
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        await Flush(cancellationToken);
    }

    public async Task<bool> Create(NewAccount account)
    {
        if (Exists)
        {
            return false;
        }

        var limits = plans.Value.Resolve(account.Plan) ?? throw new ArgumentException($"Unknown plan '{account.Plan}'.", nameof(account));
        state.State.Email = GrainKeys.NormalizeEmail(account.Email);
        state.State.PasswordHash = account.PasswordHash;
        state.State.Plan = limits.Plan;
        state.State.CreatedAt = time.GetUtcNow();
        await state.WriteStateAsync();
        return true;
    }

    public Task<AccountSnapshot?> Get() => Task.FromResult(Exists ? Snapshot() : null);

    public Task<string?> GetPasswordHash() => Task.FromResult(Exists ? state.State.PasswordHash : null);

    public Task<PlanLimits?> GetLimits() => Task.FromResult(Exists ? CurrentLimits() : null);

    public async Task<bool> SetPlan(string plan)
    {
        var limits = plans.Value.Resolve(plan);
        if (!Exists || limits is null)
        {
            return false;
        }

        state.State.Plan = limits.Plan;
        await WriteState();
        await Task.WhenAll(state.State.Keys.Values.Select(key => GrainFactory.GetGrain<IApiKeyGrain>(key.KeyGrainId).SetLimits(limits)));
        return true;
    }

    public async Task<CreditResult?> AddCredits(long amountMicros, string reference)
    {
        if (!Exists)
        {
            return null;
        }

        if (state.State.CreditReferences.TryGetValue(reference, out var earlier))
        {
            var outcome = earlier == amountMicros ? CreditOutcome.Repeated : CreditOutcome.ReferenceConflict;
            return new CreditResult(outcome, credits.Balance, 0);
        }

        var applied = credits.Adjust(amountMicros);
        state.State.CreditReferences[reference] = amountMicros;
        AppendLedger(amountMicros >= 0 ? LedgerEntryType.TopUp : LedgerEntryType.Adjustment, applied, null, null, 0, 0, reference);
        await WriteState();
        await RecordBatches(CancellationToken.None);
        return new CreditResult(CreditOutcome.Applied, credits.Balance, applied);
    }

    public async Task<KeyInfo?> CreateKey(string keyId, string name, string keyHash, string hint)
    {
        if (!Exists)
        {
            return null;
        }

        var keyGrainId = GrainKeys.ForKeyHash(keyHash);
        var info = await GrainFactory.GetGrain<IApiKeyGrain>(keyGrainId).Initialize(this.GetPrimaryKeyString(), keyId, name, hint, CurrentLimits());
        await GrainFactory.GetGrain<IKeyIndexGrain>(keyId).Set(this.GetPrimaryKeyString());
        state.State.Keys[keyId] = new StoredKey(keyGrainId, name, hint, info.CreatedAt);
        await WriteState();
        return info;
    }

    public async Task<bool> DeleteKey(string keyId)
    {
        if (!Exists || !state.State.Keys.TryGetValue(keyId, out var key))
        {
            return false;
        }

        // Revoke first: once this returns, no gateway can admit the key again.
        await GrainFactory.GetGrain<IApiKeyGrain>(key.KeyGrainId).Revoke();
        state.State.Keys.Remove(keyId);
        await WriteState();
        await GrainFactory.GetGrain<IKeyIndexGrain>(keyId).Clear();
        return true;
    }

    public async Task<IReadOnlyList<KeyInfo>> ListKeys()
    {
        if (!Exists)
        {
            return [];
        }

        var infos = await Task.WhenAll(state.State.Keys.Values.Select(key => GrainFactory.GetGrain<IApiKeyGrain>(key.KeyGrainId).GetInfo()));
        return infos.OfType<KeyInfo>().OrderBy(key => key.CreatedAt).ToList();
    }

    public Task<long> Reserve(long costMicros) => Task.FromResult(Exists ? credits.TryReserve(costMicros) : 0);

    public Task Settle(long reservationId, Charge charge)
    {
        credits.Release(reservationId);
        if (!Exists)
        {
            return Task.CompletedTask;
        }

        if (charge.CostMicros != 0 || charge.PromptTokens != 0 || charge.CompletionTokens != 0)
        {
            credits.Charge(charge.CostMicros);
            AppendLedger(LedgerEntryType.Charge, -charge.CostMicros, charge.KeyId, charge.Model, charge.PromptTokens, charge.CompletionTokens, null);
        }

        var minute = UsageGranularities.MinuteOf(time.GetUtcNow());
        var used = new UsageBucket(charge.KeyId, minute, 1, charge.PromptTokens, charge.CompletionTokens, charge.CostMicros);
        pendingUsage[(charge.KeyId, minute)] = pendingUsage.TryGetValue((charge.KeyId, minute), out var earlier) ? earlier.Add(used) : used;
        dirty = true;
        return Task.CompletedTask;
    }

    public async Task<LedgerPage> GetLedger(long afterSequence, int limit)
    {
        await Flush(CancellationToken.None);
        return await accounting.ReadLedgerAsync(this.GetPrimaryKeyString(), afterSequence, limit);
    }

    public async Task<IReadOnlyList<UsageBucket>> GetUsage(UsageQuery query)
    {
        await Flush(CancellationToken.None);
        return await accounting.ReadUsageAsync(this.GetPrimaryKeyString(), query);
    }

    private void AppendLedger(LedgerEntryType type, long amount, string? keyId, string? model, long prompt, long completion, string? reference)
    {
        var entry = new LedgerEntry(this.GetPrimaryKeyString(), ++lastLedgerSequence, type, amount, keyId, model, prompt, completion, reference, time.GetUtcNow());
        pendingLedger.Add(entry);
        dirty = true;
    }

    private async Task Flush(CancellationToken cancellationToken)
    {
        if (!dirty)
        {
            return;
        }

        try
        {
            await WriteState();
            await RecordBatches(cancellationToken);
        }
        catch (Exception exception)
        {
            dirty = true;
            logger.LogWarning(exception, "Write-behind of account {AccountId} failed; retrying on the next tick", this.GetPrimaryKeyString());
        }
    }

    /// <summary>Persists balance, ledger entries and usage together; interleaved charges land in the next write.</summary>
    private async Task WriteState()
    {
        dirty = false;
        if (pendingLedger.Count > 0 || pendingUsage.Count > 0)
        {
            state.State.UnrecordedBatches.Add(new AccountingBatch(
                this.GetPrimaryKeyString(), ++state.State.LastBatchSequence, pendingLedger.ToArray(), pendingUsage.Values.ToArray()));
            pendingLedger.Clear();
            pendingUsage.Clear();
        }

        state.State.BalanceMicros = credits.Balance;
        state.State.LastLedgerSequence = lastLedgerSequence;
        await state.WriteStateAsync();
    }

    /// <summary>Records persisted batches in the accounting store; the trimmed list is written on the next flush.</summary>
    private async Task RecordBatches(CancellationToken cancellationToken)
    {
        var batches = state.State.UnrecordedBatches;
        if (batches.Count == 0)
        {
            return;
        }

        foreach (var batch in batches)
        {
            await accounting.RecordAsync(batch, cancellationToken);
        }

        batches.Clear();
        dirty = true;
    }

    private PlanLimits CurrentLimits() => plans.Value.Resolve(state.State.Plan) ?? plans.Value.Resolve("Free")!;

    private AccountSnapshot Snapshot() => new(
        this.GetPrimaryKeyString(), state.State.Email!, CurrentLimits(), credits.Balance, state.State.Keys.Count, state.State.CreatedAt);
}
