namespace DosAi.Orleans.Grains.Interfaces.Accounts;

/// <param name="PasswordHash">Already hashed by the caller; null for accounts that cannot log in.</param>
[GenerateSerializer, Immutable, Alias("NewAccount")]
public sealed record NewAccount(
    [property: Id(0)] string Email,
    [property: Id(1)] string? PasswordHash,
    [property: Id(2)] string Plan);
