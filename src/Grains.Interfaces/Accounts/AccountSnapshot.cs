namespace DosAi.Orleans.Grains.Interfaces.Accounts;

[GenerateSerializer, Immutable, Alias("AccountSnapshot")]
public sealed record AccountSnapshot(
    [property: Id(0)] string Id,
    [property: Id(1)] string Email,
    [property: Id(2)] PlanLimits Limits,
    [property: Id(3)] long BalanceMicros,
    [property: Id(4)] int KeyCount,
    [property: Id(5)] DateTimeOffset CreatedAt);
