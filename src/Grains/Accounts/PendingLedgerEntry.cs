using DosAi.Orleans.Grains.Interfaces.Accounts;

namespace DosAi.Orleans.Grains.Accounts;

/// <summary>
/// A ledger entry waiting in its account for the next ledger write, as a value: an account holds one per
/// request for up to a ledger interval, and as objects they survived every gen0 GC (longer pauses).
/// </summary>
internal readonly record struct PendingLedgerEntry(
    long Sequence,
    LedgerEntryType Type,
    long AmountMicros,
    string? KeyId,
    string? Model,
    long PromptTokens,
    long CompletionTokens,
    string? Reference,
    DateTimeOffset CreatedAt)
{
    public LedgerEntry ToEntry(string accountId) =>
        new(accountId, Sequence, Type, AmountMicros, KeyId, Model, PromptTokens, CompletionTokens, Reference, CreatedAt);
}
