using System.Net.Mail;
using System.Security.Cryptography;
using DosAi.Orleans.Gateway.Admission;
using DosAi.Orleans.Gateway.Hosting;
using DosAi.Orleans.Grains.Interfaces;
using DosAi.Orleans.Grains.Interfaces.Accounts;
using DosAi.Orleans.Grains.Interfaces.ApiKeys;
using Microsoft.AspNetCore.Identity;

namespace DosAi.Orleans.Gateway.Api;

/// <summary>Account and key operations shared by the account API and the admin API.</summary>
public sealed class AccountService(IGrainFactory grains)
{
    private const string IdAlphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

    // PBKDF2 (ASP.NET Core Identity's v3 format); the user type is irrelevant to the hash.
    private static readonly PasswordHasher<object> Hasher = new();
    private static readonly string DummyHash = Hasher.HashPassword(new object(), "not-a-real-password");

    public IAccountGrain Account(string id) => grains.GetGrain<IAccountGrain>(id);

    public static string? ValidateEmail(string? email) =>
        email is null || email.Length > 254 || email.Any(char.IsControl) || !MailAddress.TryCreate(email.Trim(), out var address) || address.Address != email.Trim()
            ? "Enter a valid e-mail address."
            : null;

    public static string? ValidatePassword(string? password) =>
        password is null || password.Length < 8 || password.Length > 256 || !password.Any(char.IsLetter) || password.All(char.IsLetter)
            ? "The password must be 8 to 256 characters long and contain a letter and a digit or symbol."
            : null;

    public enum CreateOutcome { Created, EmailTaken, UnknownPlan }

    public async Task<(CreateOutcome Outcome, AccountSnapshot? Account)> CreateAccount(string email, string? password, string plan)
    {
        var id = "acct_" + RandomNumberGenerator.GetString(IdAlphabet, 20);
        var index = grains.GetGrain<IEmailIndexGrain>(GrainKeys.ForEmail(email));
        if (!await index.Claim(id))
        {
            return (CreateOutcome.EmailTaken, null);
        }

        var hash = password is null ? null : Hasher.HashPassword(new object(), password);
        try
        {
            if (!await Account(id).Create(new NewAccount(email, hash, plan)))
            {
                await index.Release(id);
                return (CreateOutcome.EmailTaken, null);
            }
        }
        catch (ArgumentException)
        {
            await index.Release(id);
            return (CreateOutcome.UnknownPlan, null);
        }

        return (CreateOutcome.Created, await Account(id).Get());
    }

    /// <summary>The account id for valid credentials, else null; the same work is done for unknown e-mails.</summary>
    public async Task<string?> VerifyCredentials(string email, string password)
    {
        var index = grains.GetGrain<IEmailIndexGrain>(GrainKeys.ForEmail(email));
        var accountId = await index.GetAccountId();
        var hash = accountId is null ? null : await Account(accountId).GetPasswordHash();
        var verified = Hasher.VerifyHashedPassword(new object(), hash ?? DummyHash, password) != PasswordVerificationResult.Failed;
        var succeeded = verified && hash is not null;
        await index.RecordLogin(succeeded);
        return succeeded ? accountId : null;
    }

    public Task<TimeSpan> LoginLockout(string email) => grains.GetGrain<IEmailIndexGrain>(GrainKeys.ForEmail(email)).GetLoginLockout();

    public async Task<CreatedKeyResponse?> CreateKey(string accountId, string name)
    {
        var raw = ApiKeyFormat.Generate();
        var id = "key_" + RandomNumberGenerator.GetString(IdAlphabet, 20);
        var hint = ApiKeyFormat.Hint(raw);
        var info = await Account(accountId).CreateKey(id, name, ApiKeyFormat.Hash(raw), hint);
        return info is null ? null : new CreatedKeyResponse(info.Id, info.Name, raw, info.Hint, info.CreatedAt.ToUnixTimeSeconds());
    }

    /// <summary>Deletes a key by id alone; when <paramref name="ownerId"/> is given, only that account's.</summary>
    public async Task<bool> DeleteKey(string keyId, string? ownerId)
    {
        var accountId = await grains.GetGrain<IKeyIndexGrain>(keyId).GetAccountId();
        if (accountId is null || (ownerId is not null && ownerId != accountId))
        {
            return false;
        }

        return await Account(accountId).DeleteKey(keyId);
    }

    public static string? ValidateKeyName(string? name, out string normalized)
    {
        normalized = string.IsNullOrWhiteSpace(name) ? "Secret key" : name.Trim();
        return normalized.Length > 100 ? "The key name must be at most 100 characters."
            : normalized.Any(char.IsControl) ? "The key name must not contain control characters (line breaks, tabs, NUL…)."
            : null;
    }

    public static AccountResponse ToResponse(AccountSnapshot account) =>
        new(account.Id, account.Email, account.Limits.Plan, Money.ToUsd(account.BalanceMicros), ToResponse(account.Limits));

    public static LimitsResponse ToResponse(PlanLimits limits) => new(limits.RequestsPerMinute, limits.TokensPerMinute);

    public static KeyResponse ToResponse(KeyInfo key) =>
        new(key.Id, key.Name, key.Hint, key.CreatedAt.ToUnixTimeSeconds(), key.LastUsedAt?.ToUnixTimeSeconds());
}
