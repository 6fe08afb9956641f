using DosAi.Orleans.Dashboard.Tests.Infrastructure;
using DosAi.Orleans.Gateway.Dashboard;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace DosAi.Orleans.Dashboard.Tests;

[Collection(DashboardCollection.Name)]
public sealed class SecurityTests(DashboardFixture fixture)
{
    [Fact]
    public async Task Every_page_and_asset_the_browser_loads_carries_the_content_security_policy()
    {
        await using var dashboard = await fixture.OpenAsync();
        var page = dashboard.Page;
        var responses = new List<IResponse>();
        page.Response += (_, response) => responses.Add(response);

        await dashboard.SignUpAsync(DashboardPage.NewEmail());
        await dashboard.GotoAsync("/usage");
        await Expect(page.Locator("#usage-total td[data-field=requests]")).ToHaveTextAsync("0");

        var dashboardResponses = responses.Where(r => !new Uri(r.Url).AbsolutePath.StartsWith("/api/", StringComparison.Ordinal)).ToList();
        Assert.Contains(dashboardResponses, r => r.Url.EndsWith("/assets/vendor/chart.umd.min.js", StringComparison.Ordinal));
        Assert.Contains(dashboardResponses, r => r.Url.EndsWith("/keys", StringComparison.Ordinal));
        foreach (var response in dashboardResponses)
        {
            var headers = await response.AllHeadersAsync();
            Assert.Equal(DashboardSecurityHeaders.ContentSecurityPolicy, headers.GetValueOrDefault("content-security-policy"));
            Assert.Equal("nosniff", headers.GetValueOrDefault("x-content-type-options"));
        }
    }

    [Fact]
    public async Task The_policy_is_enforced_inline_scripts_do_not_run()
    {
        await using var dashboard = await fixture.OpenAsync();
        await dashboard.GotoAsync("/login");

        await dashboard.Page.EvaluateAsync(
            "() => { const s = document.createElement('script'); s.textContent = 'window.injected = true'; document.head.append(s); }");

        Assert.False(await dashboard.Page.EvaluateAsync<bool>("() => window.injected === true"));
        Assert.Contains(dashboard.ConsoleErrors, e => e.Contains("Content Security Policy", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_raw_key_stays_out_of_urls_storage_and_the_page_once_the_dialog_closes()
    {
        await using var dashboard = await fixture.OpenAsync();
        var page = dashboard.Page;
        var urls = new List<string>();
        page.Request += (_, request) => urls.Add(request.Url);
        await dashboard.SignUpAsync(DashboardPage.NewEmail());

        var key = await dashboard.CreateKeyAsync("secret");
        await page.GetByRole(AriaRole.Button, new() { Name = "Done" }).ClickAsync();
        await Expect(dashboard.KeyRow("secret")).ToHaveCountAsync(1);

        Assert.DoesNotContain(urls, url => url.Contains(key, StringComparison.Ordinal));
        Assert.Equal("", await page.GetByLabel("Secret key").InputValueAsync());
        var stored = await page.EvaluateAsync<string>(
            "() => JSON.stringify([localStorage, sessionStorage, document.cookie, document.documentElement.outerHTML])");
        Assert.DoesNotContain(key, stored, StringComparison.Ordinal);
        var session = (await page.Context.CookiesAsync()).Single(c => c.Name == "dosai_session");
        Assert.True(session.HttpOnly);
        Assert.Equal(SameSiteAttribute.Strict, session.SameSite);
    }
}
