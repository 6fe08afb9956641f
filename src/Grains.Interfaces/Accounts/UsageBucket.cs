namespace DosAi.Orleans.Grains.Interfaces.Accounts;

public enum UsageGranularity
{
    Minute,
    Hour,
    Day,
}

/// <summary>What one key used in one period (a UTC minute, hour or day starting at <see cref="Start"/>).</summary>
[GenerateSerializer, Immutable, Alias("UsageBucket")]
public sealed record UsageBucket(
    [property: Id(0)] string KeyId,
    [property: Id(1)] DateTimeOffset Start,
    [property: Id(2)] long Requests,
    [property: Id(3)] long PromptTokens,
    [property: Id(4)] long CompletionTokens,
    [property: Id(5)] long CostMicros);

/// <param name="KeyId">Only this key's usage; null for all keys.</param>
[GenerateSerializer, Immutable, Alias("UsageQuery")]
public sealed record UsageQuery(
    [property: Id(0)] DateTimeOffset From,
    [property: Id(1)] DateTimeOffset To,
    [property: Id(2)] UsageGranularity Granularity,
    [property: Id(3)] string? KeyId);
