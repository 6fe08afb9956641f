using DosAi.Orleans.Grains.Interfaces.Accounts;

namespace DosAi.Orleans.Grains.Accounting;

/// <summary>
/// Ledger entries, usage deltas and credit references of one account written together, exactly once: stores
/// apply a batch atomically and remember its (account, sequence), so replaying it after a crash is harmless.
/// Batches persisted before credit references were rows have none (null).
/// </summary>
[GenerateSerializer, Immutable, Alias("AccountingBatch")]
public sealed record AccountingBatch(
    [property: Id(0)] string AccountId,
    [property: Id(1)] long Sequence,
    [property: Id(2)] IReadOnlyList<LedgerEntry> Ledger,
    [property: Id(3)] IReadOnlyList<UsageBucket> Usage,
    [property: Id(4)] IReadOnlyList<CreditReference>? CreditReferences = null);
