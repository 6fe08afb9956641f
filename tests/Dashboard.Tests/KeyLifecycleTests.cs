using DosAi.Orleans.Dashboard.Tests.Infrastructure;
using DosAi.Orleans.Gateway.Dashboard;
using DosAi.Orleans.Gateway.Tests.Infrastructure;
using Microsoft.Playwright;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace DosAi.Orleans.Dashboard.Tests;

[Collection(DashboardCollection.Name)]
public sealed class KeyLifecycleTests(DashboardFixture fixture, ITestOutputHelper output)
{
    [Fact]
    public async Task Sign_up_create_a_key_use_it_see_it_used_and_charted_then_delete_it()
    {
        await using var dashboard = await fixture.OpenAsync();
        var page = dashboard.Page;

        var signup = await dashboard.GotoAsync("/signup");
        Assert.Equal(DashboardSecurityHeaders.ContentSecurityPolicy, signup.Headers["content-security-policy"]);
        await Screenshots.Save(page, "signup", output);
        await dashboard.SignUpAsync(DashboardPage.NewEmail());

        var key = await dashboard.CreateKeyAsync("laptop");
        Assert.Matches("^dos_sk_[A-Za-z0-9]{32}$", key);
        await page.GetByRole(AriaRole.Button, new() { Name = "Copy" }).ClickAsync();
        await Expect(page.GetByText("Copied to the clipboard.")).ToBeVisibleAsync();
        Assert.Equal(key, await page.EvaluateAsync<string>("() => navigator.clipboard.readText()"));
        await Screenshots.Save(page, "keys-new-key", output);
        await page.GetByRole(AriaRole.Button, new() { Name = "Done" }).ClickAsync();

        var row = dashboard.KeyRow("laptop");
        await Expect(row.Locator("td[data-label='Last used']")).ToHaveTextAsync("never");
        await Expect(row.Locator("td[data-label='Key']")).ToHaveTextAsync("dos_sk_…" + key[^4..]);

        Assert.Equal(200, await fixture.ChatAsync(key));

        await dashboard.ReloadUntilAsync(
            async () => await row.Locator("td[data-label='Last used']").TextContentAsync() == "just now", "the last-used time");
        var exactTime = await row.Locator("td[data-label='Last used'] time").GetAttributeAsync("title");
        Assert.Contains(DateTime.UtcNow.Year.ToString(System.Globalization.CultureInfo.InvariantCulture), exactTime);
        await Screenshots.Save(page, "keys", output);

        await page.GetByRole(AriaRole.Link, new() { Name = "Usage" }).ClickAsync();
        await page.WaitForURLAsync("**/usage");
        await dashboard.ReloadUntilAsync(async () => await dashboard.ChartSumAsync("requests-chart") == 1, "the request in the chart");
        Assert.Equal(FakeUpstream.PromptTokens + FakeUpstream.CompletionTokens, await dashboard.ChartSumAsync("tokens-chart"));
        Assert.Equal([$"laptop (dos_sk_…{key[^4..]})"], await dashboard.ChartLabelsAsync("requests-chart"));
        await Expect(page.Locator("#usage-total td[data-field=requests]")).ToHaveTextAsync("1");
        await Expect(page.Locator("#balance")).Not.ToHaveTextAsync("$5.00");
        await Expect(page.Locator("#plan")).ToHaveTextAsync("Free");
        await Expect(page.Locator("#leaks")).ToBeHiddenAsync();
        await Screenshots.Save(page, "usage", output);

        foreach (var period in new[] { "Last 24 hours", "Last 30 days" })
        {
            await page.GetByText(period, new() { Exact = true }).ClickAsync();
            await Expect(page.Locator("#usage-total td[data-field=requests]")).ToHaveTextAsync("1");
            Assert.Equal(1, await dashboard.ChartSumAsync("requests-chart"));
        }

        await page.GetByRole(AriaRole.Link, new() { Name = "API Keys" }).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Delete key laptop" }).ClickAsync();
        var confirm = page.GetByRole(AriaRole.Dialog);
        await Expect(confirm).ToContainTextAsync("Access is revoked immediately");
        await Screenshots.Save(page, "keys-delete-confirm", output);
        await confirm.GetByRole(AriaRole.Button, new() { Name = "Delete key", Exact = true }).ClickAsync();
        await Expect(row).ToHaveCountAsync(0);
        await Expect(page.GetByText("You have no API keys yet.")).ToBeVisibleAsync();

        Assert.Equal(401, await fixture.ChatAsync(key));
        Assert.Empty(dashboard.ConsoleErrors);
    }

    [Fact]
    public async Task Cancelling_the_confirmation_keeps_the_key_working()
    {
        await using var dashboard = await fixture.OpenAsync();
        var page = dashboard.Page;
        await dashboard.SignUpAsync(DashboardPage.NewEmail());
        var key = await dashboard.CreateKeyAsync("kept");
        await page.GetByRole(AriaRole.Button, new() { Name = "Done" }).ClickAsync();

        await page.GetByRole(AriaRole.Button, new() { Name = "Delete key kept" }).ClickAsync();
        await page.Keyboard.PressAsync("Enter");

        await Expect(page.GetByRole(AriaRole.Dialog)).ToBeHiddenAsync();
        await Expect(dashboard.KeyRow("kept")).ToHaveCountAsync(1);
        Assert.Equal(200, await fixture.ChatAsync(key));
    }
}
