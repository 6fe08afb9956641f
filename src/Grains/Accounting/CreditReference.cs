namespace DosAi.Orleans.Grains.Accounting;

/// <summary>
/// A credit's reference with the amount it asked for (not what was applied: a debit is clamped at the balance), so
/// a repeat with both is answered as already applied and one with another amount as a conflict.
/// </summary>
[GenerateSerializer, Immutable, Alias("CreditReference")]
public sealed record CreditReference([property: Id(0)] string Reference, [property: Id(1)] long AmountMicros);
