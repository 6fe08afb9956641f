using System.Globalization;
using System.Security.Claims;
using DosAi.Orleans.Gateway.Admission;
using DosAi.Orleans.Gateway.Hosting;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.Extensions.Options;

namespace DosAi.Orleans.Gateway.Api;

/// <summary>The dashboard's API under <c>/api</c>: cookie sessions, CSRF header on cookie-authenticated writes.</summary>
public static class AccountApi
{
    public const string LoginRateLimitPolicy = "login";
    public const string SignupRateLimitPolicy = "signup";

    public static IEndpointRouteBuilder MapAccountApi(this IEndpointRouteBuilder routes)
    {
        var auth = routes.MapGroup("/api/auth");
        auth.MapPost("/signup", Signup).RequireRateLimiting(SignupRateLimitPolicy);
        auth.MapPost("/login", Login).RequireRateLimiting(LoginRateLimitPolicy);
        auth.MapPost("/logout", Logout).AddEndpointFilter<RequireXRequestedWith>();

        var api = routes.MapGroup("/api").RequireAuthorization();
        api.MapGet("/account", GetAccount);
        api.MapGet("/keys", ListKeys);
        api.MapPost("/keys", CreateKey).AddEndpointFilter<RequireXRequestedWith>();
        api.MapDelete("/keys/{id}", DeleteKey).AddEndpointFilter<RequireXRequestedWith>();
        api.MapGet("/usage", GetUsage);
        return routes;
    }

    private static async Task<IResult> Signup(CredentialsRequest body, HttpContext context, AccountService accounts, IOptions<SignupOptions> signup)
    {
        if (!signup.Value.AllowSignup)
        {
            return ApiErrors.NotFound("Sign-up is disabled.");
        }

        if (AccountService.ValidateEmail(body.Email) is { } emailError)
        {
            return ApiErrors.BadRequest(emailError, "invalid_email");
        }

        if (AccountService.ValidatePassword(body.Password) is { } passwordError)
        {
            return ApiErrors.BadRequest(passwordError, "weak_password");
        }

        var (outcome, account) = await accounts.CreateAccount(body.Email!, body.Password, signup.Value.DefaultPlan);
        if (outcome == AccountService.CreateOutcome.EmailTaken)
        {
            return ApiErrors.Conflict("An account with this e-mail address already exists.");
        }

        if (signup.Value.SignupCreditMicros > 0)
        {
            await accounts.Account(account!.Id).AddCredits(signup.Value.SignupCreditMicros, "signup");
            account = await accounts.Account(account.Id).Get();
        }

        await DashboardSessions.SignIn(context, accounts, account!.Id);
        return TypedResults.Created("/api/account", AccountService.ToResponse(account));
    }

    private static async Task<IResult> Login(CredentialsRequest body, HttpContext context, AccountService accounts)
    {
        if (string.IsNullOrEmpty(body.Email) || string.IsNullOrEmpty(body.Password) || body.Password.Length > 256)
        {
            return LoginFailed();
        }

        var lockout = await accounts.LoginLockout(body.Email);
        if (lockout > TimeSpan.Zero)
        {
            var seconds = (long)Math.Ceiling(lockout.TotalSeconds);
            context.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
            return OpenAiError.Result(StatusCodes.Status429TooManyRequests,
                $"Too many failed logins. Try again in {seconds}s.", "invalid_request_error", "too_many_login_attempts");
        }

        var accountId = await accounts.VerifyCredentials(body.Email, body.Password);
        if (accountId is null || await accounts.Account(accountId).Get() is not { } account)
        {
            return LoginFailed();
        }

        await DashboardSessions.SignIn(context, accounts, accountId);
        return TypedResults.Ok(AccountService.ToResponse(account));
    }

    private static IResult LoginFailed() => ApiErrors.Unauthorized("Incorrect e-mail address or password.");

    private static async Task<IResult> Logout(HttpContext context, AccountService accounts)
    {
        await DashboardSessions.SignOut(context, accounts);
        return TypedResults.NoContent();
    }

    private static async Task<IResult> GetAccount(ClaimsPrincipal user, AccountService accounts) =>
        await accounts.Account(AccountId(user)).Get() is { } account
            ? TypedResults.Ok(AccountService.ToResponse(account))
            : ApiErrors.Unauthorized("The account no longer exists.");

    private static async Task<IResult> ListKeys(ClaimsPrincipal user, AccountService accounts)
    {
        var keys = await accounts.Account(AccountId(user)).ListKeys();
        return TypedResults.Ok(new ListResponse<KeyResponse>(keys.Select(AccountService.ToResponse).ToList()));
    }

    private static async Task<IResult> CreateKey(CreateKeyRequest? body, ClaimsPrincipal user, AccountService accounts)
    {
        if (AccountService.ValidateKeyName(body?.Name, out var name) is { } error)
        {
            return ApiErrors.BadRequest(error);
        }

        var created = await accounts.CreateKey(AccountId(user), name);
        return created is null
            ? ApiErrors.Unauthorized("The account no longer exists.")
            : TypedResults.Created($"/api/keys/{created.Id}", created);
    }

    private static async Task<IResult> DeleteKey(string id, ClaimsPrincipal user, AccountService accounts) =>
        await accounts.DeleteKey(id, AccountId(user)) ? TypedResults.NoContent() : ApiErrors.NotFound("No such key.");

    private static async Task<IResult> GetUsage(
        ClaimsPrincipal user, AccountService accounts, long? from, long? to, string? granularity, [FromQuery(Name = "key_id")] string? keyId)
    {
        if (UsageRequest.Parse(from, to, granularity, keyId, DateTimeOffset.UtcNow, out var query) is { } error)
        {
            return ApiErrors.BadRequest(error);
        }

        var buckets = await accounts.Account(AccountId(user)).GetUsage(query);
        return TypedResults.Ok(new ListResponse<UsageResponse>(buckets.Select(b => new UsageResponse(
            b.Start.ToUnixTimeSeconds(), b.KeyId, b.Requests, b.PromptTokens, b.CompletionTokens, Money.ToUsd(b.CostMicros))).ToList()));
    }

    private static string AccountId(ClaimsPrincipal user) => DashboardSessions.AccountId(user);
}
