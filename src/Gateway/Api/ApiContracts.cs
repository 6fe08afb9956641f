namespace DosAi.Orleans.Gateway.Api;

// JSON is snake_case (configured once in Program); times are Unix seconds, money USD numbers.

public sealed record CredentialsRequest(string? Email, string? Password);

public sealed record CreateAccountRequest(string? Email, string? Password, string? Plan);

public sealed record PlanRequest(string? Plan);

public sealed record CreditsRequest(decimal? AmountUsd, string? Reference);

public sealed record CreateKeyRequest(string? Name);

public sealed record LimitsResponse(int RequestsPerMinute, long TokensPerMinute);

public sealed record AccountResponse(string Id, string Email, string Plan, decimal BalanceUsd, LimitsResponse Limits);

public sealed record AdminAccountResponse(string Id, string Email, string Plan, decimal BalanceUsd, LimitsResponse Limits, int KeyCount);

public sealed record CreatedAccountResponse(string Id, string Email, string Plan, decimal BalanceUsd);

public sealed record BalanceResponse(decimal BalanceUsd);

public sealed record KeyResponse(string Id, string Name, string Hint, long CreatedAt, long? LastUsedAt);

public sealed record CreatedKeyResponse(string Id, string Name, string Key, string Hint, long CreatedAt);

public sealed record ListResponse<T>(IReadOnlyList<T> Data);

public sealed record LedgerEntryResponse(
    string Id, string Type, decimal AmountUsd, string? KeyId, string? Model, long PromptTokens, long CompletionTokens, string? Reference, long CreatedAt);

public sealed record LedgerResponse(IReadOnlyList<LedgerEntryResponse> Data, bool HasMore);

public sealed record UsageResponse(long Start, string KeyId, long Requests, long PromptTokens, long CompletionTokens, decimal CostUsd);
