using DosAi.Orleans.Dashboard.Tests.Infrastructure;
using Microsoft.Playwright;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace DosAi.Orleans.Dashboard.Tests;

[Collection(DashboardCollection.Name)]
public sealed class KeyboardAndLayoutTests(DashboardFixture fixture, ITestOutputHelper output)
{
    [Fact]
    public async Task A_key_can_be_created_with_the_keyboard_alone_and_focus_follows_the_dialog()
    {
        await using var dashboard = await fixture.OpenAsync();
        var page = dashboard.Page;
        await dashboard.SignUpAsync(DashboardPage.NewEmail());

        await page.Keyboard.PressAsync("Tab");
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "Skip to content" })).ToBeFocusedAsync();

        var create = page.GetByRole(AriaRole.Button, new() { Name = "Create new key" });
        await create.FocusAsync();
        await page.Keyboard.PressAsync("Enter");
        var name = page.GetByLabel("Name", new() { Exact = true });
        await Expect(name).ToBeFocusedAsync();

        await page.Keyboard.PressAsync("Enter");
        await Expect(page.GetByText("Enter a name for the key, so you can tell it apart later.")).ToBeVisibleAsync();
        await Expect(name).ToHaveAttributeAsync("aria-invalid", "true");

        await page.Keyboard.TypeAsync("keyboard");
        await page.Keyboard.PressAsync("Enter");
        var secret = page.GetByLabel("Secret key");
        await Expect(secret).ToBeFocusedAsync();
        Assert.StartsWith("dos_sk_", await secret.InputValueAsync());

        await page.Keyboard.PressAsync("Escape");
        await Expect(page.GetByRole(AriaRole.Dialog)).ToBeHiddenAsync();
        await Expect(create).ToBeFocusedAsync();
        await Expect(dashboard.KeyRow("keyboard")).ToHaveCountAsync(1);
    }

    [Fact]
    public async Task On_a_phone_sized_screen_nothing_overflows_sideways()
    {
        await using var dashboard = await fixture.OpenAsync(width: 390, height: 844);
        var page = dashboard.Page;
        await dashboard.SignUpAsync(DashboardPage.NewEmail());
        await dashboard.CreateKeyAsync("phone");
        await page.GetByRole(AriaRole.Button, new() { Name = "Done" }).ClickAsync();

        foreach (var (path, screenshot) in new[] { ("/keys", "keys-narrow"), ("/usage", "usage-narrow") })
        {
            await dashboard.GotoAsync(path);
            await Expect(page.GetByRole(AriaRole.Navigation).GetByRole(AriaRole.Link, new() { Name = "Usage" })).ToBeVisibleAsync();
            if (path == "/usage")
            {
                await Expect(page.Locator("#usage-total td[data-field=requests]")).ToHaveTextAsync("0");
            }

            Assert.True(
                await page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= document.documentElement.clientWidth"),
                $"{path} is wider than the screen.");
            await Screenshots.Save(page, screenshot, output);
        }

        Assert.Empty(dashboard.ConsoleErrors);
    }
}
