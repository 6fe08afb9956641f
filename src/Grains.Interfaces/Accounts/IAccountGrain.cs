using DosAi.Orleans.Grains.Interfaces.ApiKeys;
using Orleans.Concurrency;

namespace DosAi.Orleans.Grains.Interfaces.Accounts;

/// <summary>
/// One customer account: balance in micro-USD, reservations, plan and keys. Keyed by account id.
/// The calls key grains make on every request interleave (they never await), so a key calling its
/// account while the account calls that key cannot deadlock.
/// </summary>
[Alias("IAccountGrain")]
public interface IAccountGrain : IGrainWithStringKey
{
    /// <summary>Creates the account (persisted before returning); false when the id is already used.</summary>
    [Alias("Create")] Task<bool> Create(NewAccount account);

    [Alias("Get")] Task<AccountSnapshot?> Get();

    [Alias("GetPasswordHash")] Task<string?> GetPasswordHash();

    /// <summary>The epoch current dashboard sessions were signed in under; null when the account does not exist.</summary>
    [AlwaysInterleave, Alias("GetSessionEpoch")] Task<long?> GetSessionEpoch();

    /// <summary>Ends every dashboard session of the account, durably, before answering.</summary>
    [Alias("EndSessions")] Task EndSessions();

    [AlwaysInterleave, Alias("GetLimits")] Task<PlanLimits?> GetLimits();

    /// <summary>Changes the plan and pushes the new limits to every key before returning; false for an unknown plan.</summary>
    [Alias("SetPlan")] Task<bool> SetPlan(string plan);

    /// <summary>Applies a signed credit change, idempotent per reference, persisted before returning.</summary>
    [Alias("AddCredits")] Task<CreditResult?> AddCredits(long amountMicros, string reference);

    /// <summary>Registers a key (persisted before returning). The raw key never reaches a grain.</summary>
    [Alias("CreateKey")] Task<KeyInfo?> CreateKey(string keyId, string name, string keyHash, string hint);

    /// <summary>Revokes and forgets a key; false when it is not this account's.</summary>
    [Alias("DeleteKey")] Task<bool> DeleteKey(string keyId);

    [Alias("ListKeys")] Task<IReadOnlyList<KeyInfo>> ListKeys();

    /// <summary>Reserves an estimated cost against balance − reservations; 0 when it does not fit.</summary>
    [AlwaysInterleave, Alias("Reserve")] Task<long> Reserve(long costMicros);

    /// <summary>
    /// Replaces the credit lease of key <paramref name="keyId"/>: releases <paramref name="previousLeaseId"/>, keeps <paramref name="inFlightMicros"/>
    /// set aside for the requests the key already admitted on it, and grants up to <paramref name="wantedMicros"/> more, at
    /// most a small part of the free balance and nothing if that is below <paramref name="smallestMicros"/> (then the key
    /// reserves request by request). Charges of leased requests spend the lease (see <see cref="Charge.LeaseId"/>).
    /// </summary>
    [AlwaysInterleave, Alias("Lease")] Task<CreditLease> Lease(string keyId, long previousLeaseId, long inFlightMicros, long wantedMicros, long smallestMicros);

    /// <summary>Gives a key's credit lease back (an idle, deleted or deactivating key).</summary>
    [AlwaysInterleave, Alias("ReleaseLease")] Task ReleaseLease(long leaseId);

    /// <summary>Releases a reservation (0: none), charges what was actually used and counts it in usage (write-behind).</summary>
    [AlwaysInterleave, Alias("Settle")] Task Settle(long reservationId, Charge charge);

    /// <summary>Charges requests a key admitted on its credit lease, sent together (their lease share stays held until then).</summary>
    /// <param name="charges">Never changed once sent, so a call within the silo passes it without a copy.</param>
    [AlwaysInterleave, Alias("SettleCharges")] Task SettleCharges([Immutable] IReadOnlyList<Charge> charges);

    [Alias("GetLedger")] Task<LedgerPage> GetLedger(long afterSequence, int limit);

    [Alias("GetUsage")] Task<IReadOnlyList<UsageBucket>> GetUsage(UsageQuery query);
}
