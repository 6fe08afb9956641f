namespace DosAi.Orleans.Grains.Interfaces.ApiKeys;

public enum AdmissionOutcome
{
    Admitted,
    /// <summary>Unknown or deleted key.</summary>
    InvalidKey,
    RequestsExceeded,
    TokensExceeded,
    /// <summary>The estimate alone exceeds the plan's tokens per minute: retrying cannot help.</summary>
    RequestTooLarge,
    InsufficientCredits,
}

/// <summary>What the gateway asks for one request: its token estimate and the cost of that estimate.</summary>
[GenerateSerializer, Immutable, Alias("AdmissionRequest")]
public sealed record AdmissionRequest(
    [property: Id(0)] long EstimatedTokens,
    [property: Id(1)] long EstimatedCostMicros);

/// <summary>The key's window as seen right after the decision, for the x-ratelimit-* headers.</summary>
[GenerateSerializer, Immutable, Alias("RateLimitSnapshot")]
public sealed record RateLimitSnapshot(
    [property: Id(0)] int RequestLimit,
    [property: Id(1)] int RequestsUsed,
    [property: Id(2)] TimeSpan RequestsReset,
    [property: Id(3)] long TokenLimit,
    [property: Id(4)] long TokensUsed,
    [property: Id(5)] TimeSpan TokensReset);

/// <param name="RetryAfter">For 429s: the exact time until the same request would be admitted.</param>
/// <param name="Ticket">Identifies the window entry and reservation to settle; default unless admitted.</param>
[GenerateSerializer, Immutable, Alias("Admission")]
public sealed record Admission(
    [property: Id(0)] AdmissionOutcome Outcome,
    [property: Id(1)] RateLimitSnapshot? Limits,
    [property: Id(2)] TimeSpan RetryAfter,
    [property: Id(3)] AdmissionTicket Ticket);

/// <param name="Reservation">The account reservation made for this request alone; 0 when it ran on the key's credit lease.</param>
/// <param name="LeasedMicros">The part of the key's credit lease this request holds until it settles.</param>
/// <param name="LeaseEpoch">Which lease that was: one given back, or held by an earlier activation, gets nothing back.</param>
[GenerateSerializer, Immutable, Alias("AdmissionTicket")]
public readonly record struct AdmissionTicket(
    [property: Id(0)] long WindowEntry,
    [property: Id(1)] long Reservation,
    [property: Id(2)] string? KeyId,
    [property: Id(3)] long LeasedMicros = 0,
    [property: Id(4)] long LeaseEpoch = 0);

/// <summary>What an admitted request really used. Null usage means the upstream call failed: nothing is charged.</summary>
[GenerateSerializer, Immutable, Alias("Settlement")]
public sealed record Settlement(
    [property: Id(0)] AdmissionTicket Ticket,
    [property: Id(1)] string? Model,
    [property: Id(2)] long PromptTokens,
    [property: Id(3)] long CompletionTokens,
    [property: Id(4)] long CostMicros);
