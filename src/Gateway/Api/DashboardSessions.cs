using System.Globalization;
using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;

namespace DosAi.Orleans.Gateway.Api;

/// <summary>
/// Dashboard sessions are cookies the server can end: each carries the account's session epoch from when it was
/// signed in, and a logout moves the epoch on, so a copy of the cookie (another browser, a stolen one) stops
/// working too instead of staying valid for its seven days.
/// </summary>
public static class DashboardSessions
{
    private const string EpochClaim = "dosai:session_epoch";

    public static string AccountId(ClaimsPrincipal user) => user.FindFirstValue(ClaimTypes.NameIdentifier)!;

    public static async Task SignIn(HttpContext context, AccountService accounts, string accountId)
    {
        var epoch = await accounts.Account(accountId).GetSessionEpoch() ?? 0;
        await context.SignInAsync(
            CookieAuthenticationDefaults.AuthenticationScheme,
            new ClaimsPrincipal(new ClaimsIdentity(
                [new Claim(ClaimTypes.NameIdentifier, accountId), new Claim(EpochClaim, epoch.ToString(CultureInfo.InvariantCulture))],
                CookieAuthenticationDefaults.AuthenticationScheme)));
    }

    /// <summary>Ends every session of the signed-in account (if any) and removes this one's cookie.</summary>
    public static async Task SignOut(HttpContext context, AccountService accounts)
    {
        if (context.User.Identity?.IsAuthenticated == true)
        {
            await accounts.Account(AccountId(context.User)).EndSessions();
        }

        await context.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
    }

    /// <summary>The cookie handler's check on every request: a session of an ended epoch, or of a deleted account, is refused.</summary>
    public static async Task Validate(CookieValidatePrincipalContext context)
    {
        var user = context.Principal!;
        var signedInUnder = long.TryParse(user.FindFirstValue(EpochClaim), NumberStyles.None, CultureInfo.InvariantCulture, out var epoch) ? epoch : 0;
        var accounts = context.HttpContext.RequestServices.GetRequiredService<AccountService>();
        if (await accounts.Account(AccountId(user)).GetSessionEpoch() != signedInUnder)
        {
            context.RejectPrincipal();
            await context.HttpContext.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
        }
    }
}
