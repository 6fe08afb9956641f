namespace DosAi.Orleans.Grains.Interfaces.ApiKeys;

[GenerateSerializer, Immutable, Alias("KeyInfo")]
public sealed record KeyInfo(
    [property: Id(0)] string Id,
    [property: Id(1)] string AccountId,
    [property: Id(2)] string Name,
    [property: Id(3)] string Hint,
    [property: Id(4)] DateTimeOffset CreatedAt,
    [property: Id(5)] DateTimeOffset? LastUsedAt);
