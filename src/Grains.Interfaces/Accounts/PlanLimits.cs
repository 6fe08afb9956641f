namespace DosAi.Orleans.Grains.Interfaces.Accounts;

/// <summary>The limits of a named plan, resolved from configuration on the silo.</summary>
[GenerateSerializer, Immutable, Alias("PlanLimits")]
public sealed record PlanLimits(
    [property: Id(0)] string Plan,
    [property: Id(1)] int RequestsPerMinute,
    [property: Id(2)] long TokensPerMinute);
