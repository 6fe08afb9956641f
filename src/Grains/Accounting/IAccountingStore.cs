using DosAi.Orleans.Grains.Interfaces.Accounts;

namespace DosAi.Orleans.Grains.Accounting;

/// <summary>
/// The append-only ledger, the per-key per-minute usage buckets, each account's keys and the references of its
/// credits (SQLite or PostgreSQL).
/// </summary>
public interface IAccountingStore
{
    /// <summary>Applies the batches in one transaction; a batch already applied is ignored.</summary>
    Task RecordAsync(IReadOnlyList<AccountingBatch> batches, CancellationToken cancellationToken = default);

    /// <summary>What the store holds for the account beyond a balance checkpoint taken at <paramref name="afterLedgerSequence"/>.</summary>
    Task<AccountTail> ReadTailAsync(string accountId, long afterLedgerSequence, CancellationToken cancellationToken = default);

    Task<LedgerPage> ReadLedgerAsync(string accountId, long afterSequence, int limit, CancellationToken cancellationToken = default);

    /// <summary>Buckets of minute usage summed per key and per UTC minute, hour or day, oldest first.</summary>
    Task<IReadOnlyList<UsageBucket>> ReadUsageAsync(string accountId, UsageQuery query, CancellationToken cancellationToken = default);

    /// <summary>The account's keys: key id → key grain id.</summary>
    Task<Dictionary<string, string>> ReadKeysAsync(string accountId, CancellationToken cancellationToken = default);

    /// <summary>Adds keys (key id → key grain id) to the account, in one transaction; a key already there is left as it is.</summary>
    Task AddKeysAsync(string accountId, IReadOnlyCollection<KeyValuePair<string, string>> keys, CancellationToken cancellationToken = default);

    /// <summary>The amount a recorded credit with this reference asked for; null when none was recorded.</summary>
    Task<long?> ReadCreditReferenceAsync(string accountId, string reference, CancellationToken cancellationToken = default);

    Task RemoveKeyAsync(string accountId, string keyId, CancellationToken cancellationToken = default);
}
