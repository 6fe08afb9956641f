namespace DosAi.Orleans.Grains.Interfaces.Accounts;

/// <summary>
/// What one finished request used (all zero when it failed); <see cref="CostMicros"/> is priced by the
/// gateway, <see cref="At"/> is when the request ended (its usage minute and ledger time). A request admitted
/// on a credit lease names the account's lease that held its share (<see cref="LeaseId"/>, 0 if none any more)
/// and that share (<see cref="LeasedMicros"/>): the charge spends it, so the lease holds that much less.
/// </summary>
[GenerateSerializer, Immutable, Alias("Charge")]
public sealed record Charge(
    [property: Id(0)] string KeyId,
    [property: Id(1)] string? Model,
    [property: Id(2)] long PromptTokens,
    [property: Id(3)] long CompletionTokens,
    [property: Id(4)] long CostMicros,
    [property: Id(5)] DateTimeOffset At,
    [property: Id(6)] long LeaseId = 0,
    [property: Id(7)] long LeasedMicros = 0);
