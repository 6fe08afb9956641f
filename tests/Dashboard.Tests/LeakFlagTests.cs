using DosAi.Orleans.Dashboard.Tests.Infrastructure;
using Microsoft.Playwright;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace DosAi.Orleans.Dashboard.Tests;

[Collection(DashboardCollection.Name)]
public sealed class LeakFlagTests(DashboardFixture fixture, ITestOutputHelper output)
{
    [Fact]
    public async Task A_key_with_a_burst_far_above_its_baseline_is_flagged_and_can_be_deleted_from_the_flag()
    {
        await using var dashboard = await fixture.OpenAsync();
        var page = dashboard.Page;
        await dashboard.SignUpAsync(DashboardPage.NewEmail());
        var quiet = await dashboard.CreateKeyAsync("quiet");
        await page.GetByRole(AriaRole.Button, new() { Name = "Done" }).ClickAsync();
        var busy = await dashboard.CreateKeyAsync("ci-runner");
        await page.GetByRole(AriaRole.Button, new() { Name = "Done" }).ClickAsync();

        // 100 requests in the last hour against a 7-day mean of 0: exactly the rule's minimum volume.
        for (var i = 0; i < 100; i++)
        {
            Assert.Equal(200, await fixture.ChatAsync(busy));
        }

        Assert.Equal(200, await fixture.ChatAsync(quiet));

        await dashboard.GotoAsync("/usage");
        await dashboard.ReloadUntilAsync(async () => await dashboard.ChartSumAsync("requests-chart") == 101, "101 requests in the chart");
        var leaks = page.Locator("#leaks");
        await Expect(leaks).ToBeVisibleAsync();
        await Expect(leaks.Locator("li")).ToHaveCountAsync(1);
        await Expect(leaks).ToContainTextAsync("ci-runner");
        await Expect(leaks).ToContainTextAsync("100 requests in the last hour");
        await Expect(page.Locator("#leak-rule")).ToContainTextAsync("at least 100 requests and at least 5 times its mean hourly requests");
        await Screenshots.Save(page, "usage-leak", output);

        await leaks.GetByRole(AriaRole.Button, new() { Name = "Delete key ci-runner" }).ClickAsync();
        await page.GetByRole(AriaRole.Dialog).GetByRole(AriaRole.Button, new() { Name = "Delete key", Exact = true }).ClickAsync();
        await Expect(leaks).ToBeHiddenAsync();

        Assert.Equal(401, await fixture.ChatAsync(busy));
        Assert.Equal(200, await fixture.ChatAsync(quiet));
        Assert.Empty(dashboard.ConsoleErrors);
    }

    [Theory]
    [InlineData(99, 0, false)]
    [InlineData(100, 0, true)]
    [InlineData(100, 3360, true)]
    [InlineData(100, 3361, false)]
    [InlineData(499, 16800, false)]
    [InlineData(500, 16800, true)]
    public async Task The_rule_needs_the_minimum_volume_and_five_times_the_hourly_mean_of_the_previous_168_hours(
        int recentRequests, int baselineRequests, bool flagged)
    {
        await using var dashboard = await fixture.OpenAsync();
        await dashboard.GotoAsync("/login");

        var result = await dashboard.Page.EvaluateAsync<bool>(
            "async ([recent, baseline]) => (await import('/assets/js/leak.js')).isPossibleLeak(recent, baseline)",
            new[] { recentRequests, baselineRequests });

        Assert.Equal(flagged, result);
    }

    [Fact]
    public async Task The_baseline_is_the_seven_days_right_before_the_last_sixty_minutes()
    {
        await using var dashboard = await fixture.OpenAsync();
        await dashboard.GotoAsync("/login");
        const long now = 1_790_000_123;

        var windows = await dashboard.Page.EvaluateAsync<long[]>(
            "async now => { const w = (await import('/assets/js/leak.js')).leakWindows(now); return [w.recent.from, w.recent.to, w.baseline.from, w.baseline.to]; }",
            now);

        Assert.Equal(new[] { now / 60 * 60 + 60 - 3600, now / 60 * 60 + 60, now / 60 * 60 + 60 - 3600 - (7 * 86400), now / 60 * 60 + 60 - 3600 }, windows);
    }
}
