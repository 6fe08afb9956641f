using DosAi.Orleans.Grains.Interfaces.Accounts;

namespace DosAi.Orleans.Grains.Ledger;

/// <summary>Append-only ledger of balance changes. Appends are idempotent per (account, sequence).</summary>
public interface ILedgerStore
{
    Task AppendAsync(IReadOnlyCollection<LedgerEntry> entries, CancellationToken cancellationToken = default);

    Task<LedgerPage> ReadAsync(string accountId, long afterSequence, int limit, CancellationToken cancellationToken = default);
}
