namespace DosAi.Orleans.Grains.Interfaces.Accounts;

/// <summary>
/// What one finished request used (all zero when it failed); <see cref="CostMicros"/> is priced by the
/// gateway, <see cref="At"/> is when the request ended (its usage minute and ledger time).
/// </summary>
[GenerateSerializer, Immutable, Alias("Charge")]
public sealed record Charge(
    [property: Id(0)] string KeyId,
    [property: Id(1)] string? Model,
    [property: Id(2)] long PromptTokens,
    [property: Id(3)] long CompletionTokens,
    [property: Id(4)] long CostMicros,
    [property: Id(5)] DateTimeOffset At);
