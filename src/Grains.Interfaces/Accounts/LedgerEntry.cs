namespace DosAi.Orleans.Grains.Interfaces.Accounts;

public enum LedgerEntryType
{
    TopUp,
    Charge,
    Refund,
    Adjustment,
}

/// <summary>One append-only change of an account's balance; <see cref="Sequence"/> is dense per account.</summary>
[GenerateSerializer, Immutable, Alias("LedgerEntry")]
public sealed record LedgerEntry(
    [property: Id(0)] string AccountId,
    [property: Id(1)] long Sequence,
    [property: Id(2)] LedgerEntryType Type,
    [property: Id(3)] long AmountMicros,
    [property: Id(4)] string? KeyId,
    [property: Id(5)] string? Model,
    [property: Id(6)] long PromptTokens,
    [property: Id(7)] long CompletionTokens,
    [property: Id(8)] string? Reference,
    [property: Id(9)] DateTimeOffset CreatedAt);

[GenerateSerializer, Immutable, Alias("LedgerPage")]
public sealed record LedgerPage(
    [property: Id(0)] IReadOnlyList<LedgerEntry> Entries,
    [property: Id(1)] bool HasMore);
