using DosAi.Orleans.Grains.Interfaces.Accounts;

namespace DosAi.Orleans.Grains.Accounting;

/// <summary>The append-only ledger and the per-key per-minute usage buckets (SQLite or PostgreSQL).</summary>
public interface IAccountingStore
{
    /// <summary>Applies the batch atomically; a batch already applied is ignored.</summary>
    Task RecordAsync(AccountingBatch batch, CancellationToken cancellationToken = default);

    Task<LedgerPage> ReadLedgerAsync(string accountId, long afterSequence, int limit, CancellationToken cancellationToken = default);

    /// <summary>Buckets of minute usage summed per key and per UTC minute, hour or day, oldest first.</summary>
    Task<IReadOnlyList<UsageBucket>> ReadUsageAsync(string accountId, UsageQuery query, CancellationToken cancellationToken = default);
}
