namespace DosAi.Orleans.Grains.Interfaces.Accounts;

public enum CreditOutcome
{
    Applied,
    /// <summary>The reference was used before with the same amount: nothing changed.</summary>
    Repeated,
    /// <summary>The reference was used before with a different amount: nothing changed.</summary>
    ReferenceConflict,
    /// <summary>The credit would take the balance above <see cref="Balances.MostMicros"/>: nothing changed.</summary>
    BalanceLimit,
}

/// <param name="AppliedMicros">What actually changed the balance (a debit is clamped so the balance stays ≥ 0).</param>
[GenerateSerializer, Immutable, Alias("CreditResult")]
public sealed record CreditResult(
    [property: Id(0)] CreditOutcome Outcome,
    [property: Id(1)] long BalanceMicros,
    [property: Id(2)] long AppliedMicros);
