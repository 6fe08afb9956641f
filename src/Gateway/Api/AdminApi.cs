using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using DosAi.Orleans.Gateway.Admission;
using DosAi.Orleans.Gateway.Hosting;
using DosAi.Orleans.Grains.Interfaces.Accounts;
using DosAi.Orleans.Grains.Accounting;
using Microsoft.Extensions.Options;

namespace DosAi.Orleans.Gateway.Api;

/// <summary>The operator API under <c>/admin</c>, behind <c>Authorization: Bearer &lt;Admin:Token&gt;</c>; 404 when no token is set.</summary>
public static class AdminApi
{
    private static readonly string MostUsd = Money.ToUsd(Balances.MostMicros).ToString(CultureInfo.InvariantCulture);

    public static IEndpointRouteBuilder MapAdminApi(this IEndpointRouteBuilder routes)
    {
        var admin = routes.MapGroup("/admin");
        admin.MapPost("/accounts", CreateAccount);
        admin.MapGet("/accounts/{id}", GetAccount);
        admin.MapPut("/accounts/{id}/plan", SetPlan);
        admin.MapPost("/accounts/{id}/credits", AddCredits);
        admin.MapPost("/accounts/{id}/keys", CreateKey);
        admin.MapDelete("/keys/{id}", DeleteKey);
        admin.MapGet("/accounts/{id}/ledger", GetLedger);
        return routes;
    }

    private static async Task<IResult> CreateAccount(CreateAccountRequest body, AccountService accounts, IOptions<SignupOptions> signup)
    {
        if (AccountService.ValidateEmail(body.Email) is { } emailError)
        {
            return ApiErrors.BadRequest(emailError, "invalid_email");
        }

        if (body.Password is not null && AccountService.ValidatePassword(body.Password) is { } passwordError)
        {
            return ApiErrors.BadRequest(passwordError, "weak_password");
        }

        var (outcome, account) = await accounts.CreateAccount(body.Email!, body.Password, body.Plan ?? signup.Value.DefaultPlan);
        return outcome switch
        {
            AccountService.CreateOutcome.EmailTaken => ApiErrors.Conflict("An account with this e-mail address already exists."),
            AccountService.CreateOutcome.UnknownPlan => ApiErrors.BadRequest($"Unknown plan '{body.Plan}'.", "unknown_plan"),
            _ => TypedResults.Created($"/admin/accounts/{account!.Id}",
                new CreatedAccountResponse(account.Id, account.Email, account.Limits.Plan, Money.ToUsd(account.BalanceMicros))),
        };
    }

    private static async Task<IResult> GetAccount(string id, AccountService accounts) =>
        await accounts.Account(id).Get() is { } account ? TypedResults.Ok(ToAdminResponse(account)) : NoAccount();

    private static async Task<IResult> SetPlan(string id, PlanRequest body, AccountService accounts)
    {
        if (await accounts.Account(id).Get() is null)
        {
            return NoAccount();
        }

        if (string.IsNullOrWhiteSpace(body.Plan) || !await accounts.Account(id).SetPlan(body.Plan))
        {
            return ApiErrors.BadRequest($"Unknown plan '{body.Plan}'.", "unknown_plan");
        }

        return TypedResults.Ok(ToAdminResponse((await accounts.Account(id).Get())!));
    }

    private static async Task<IResult> AddCredits(string id, CreditsRequest body, AccountService accounts)
    {
        if (body.AmountUsd is not { } amount || Money.FromUsd(amount) is not { } micros)
        {
            return ApiErrors.BadRequest($"amount_usd must be a number with at most six decimals, between -{MostUsd} and {MostUsd}.", "invalid_amount");
        }

        if (micros == 0)
        {
            return ApiErrors.BadRequest("amount_usd must not be zero: a credit of zero would change nothing but add a ledger entry.", "invalid_amount");
        }

        if (string.IsNullOrWhiteSpace(body.Reference) || body.Reference.Length > 200 || body.Reference.Any(char.IsControl))
        {
            return ApiErrors.BadRequest("reference is required (at most 200 characters, no control characters): it makes the credit idempotent.", "invalid_reference");
        }

        var result = await accounts.Account(id).AddCredits(micros, body.Reference);
        return result switch
        {
            null => NoAccount(),
            { Outcome: CreditOutcome.ReferenceConflict } => ApiErrors.Conflict($"Reference '{body.Reference}' was already used with a different amount."),
            { Outcome: CreditOutcome.BalanceLimit } => ApiErrors.BadRequest(
                $"This credit would take the balance above the most an account can hold ({MostUsd} USD); nothing changed.", "invalid_amount"),
            _ => TypedResults.Ok(new BalanceResponse(Money.ToUsd(result.BalanceMicros))),
        };
    }

    private static async Task<IResult> CreateKey(string id, CreateKeyRequest? body, AccountService accounts)
    {
        if (AccountService.ValidateKeyName(body?.Name, out var name) is { } error)
        {
            return ApiErrors.BadRequest(error);
        }

        var created = await accounts.CreateKey(id, name);
        return created is null ? NoAccount() : TypedResults.Created($"/admin/keys/{created.Id}", created);
    }

    private static async Task<IResult> DeleteKey(string id, AccountService accounts) =>
        await accounts.DeleteKey(id, ownerId: null) ? TypedResults.NoContent() : ApiErrors.NotFound("No such key.");

    private static async Task<IResult> GetLedger(string id, int? limit, string? after, AccountService accounts)
    {
        if (await accounts.Account(id).Get() is null)
        {
            return NoAccount();
        }

        var pageSize = limit ?? 100;
        if (pageSize is < 1 or > 1000)
        {
            return ApiErrors.BadRequest("limit must be between 1 and 1000.");
        }

        long afterSequence = 0;
        if (after is not null && !long.TryParse(after.StartsWith("le_", StringComparison.Ordinal) ? after[3..] : after, NumberStyles.None, CultureInfo.InvariantCulture, out afterSequence))
        {
            return ApiErrors.BadRequest("after must be a ledger entry id (le_…).");
        }

        var page = await accounts.Account(id).GetLedger(afterSequence, pageSize);
        return TypedResults.Ok(new LedgerResponse(page.Entries.Select(ToResponse).ToList(), page.HasMore));
    }

    private static LedgerEntryResponse ToResponse(LedgerEntry entry) => new(
        $"le_{entry.Sequence}", LedgerEntryTypes.ToWire(entry.Type), Money.ToUsd(entry.AmountMicros), entry.KeyId, entry.Model,
        entry.PromptTokens, entry.CompletionTokens, entry.Reference, entry.CreatedAt.ToUnixTimeSeconds());

    private static AdminAccountResponse ToAdminResponse(AccountSnapshot account) => new(
        account.Id, account.Email, account.Limits.Plan, Money.ToUsd(account.BalanceMicros), AccountService.ToResponse(account.Limits), account.KeyCount);

    private static IResult NoAccount() => ApiErrors.NotFound("No such account.");

    /// <summary>Runs before model binding, so without a configured token nothing under /admin reveals itself.</summary>
    public static IApplicationBuilder UseAdminToken(this IApplicationBuilder app) =>
        app.UseWhen(context => context.Request.Path.StartsWithSegments("/admin"), admin => admin.Use(async (context, next) =>
        {
            var expected = context.RequestServices.GetRequiredService<IConfiguration>()["Admin:Token"];
            if (string.IsNullOrEmpty(expected))
            {
                await ApiErrors.NotFound("There is no such endpoint: the admin API is off until Admin:Token is set.").ExecuteAsync(context);
                return;
            }

            var presented = BearerToken.From(context.Request.Headers.Authorization) ?? "";
            if (!CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(presented), Encoding.UTF8.GetBytes(expected)))
            {
                await ApiErrors.Unauthorized("A valid admin token is required.").ExecuteAsync(context);
                return;
            }

            await next(context);
        }));
}
