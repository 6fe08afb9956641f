using DosAi.Orleans.Dashboard.Tests.Infrastructure;
using Microsoft.Playwright;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace DosAi.Orleans.Dashboard.Tests;

[Collection(DashboardCollection.Name)]
public sealed class AuthPageTests(DashboardFixture fixture, ITestOutputHelper output)
{
    [Fact]
    public async Task Sign_up_explains_what_is_wrong_with_each_field()
    {
        await using var dashboard = await fixture.OpenAsync();
        var page = dashboard.Page;
        await dashboard.GotoAsync("/signup");
        var submit = page.GetByRole(AriaRole.Button, new() { Name = "Create account" });
        var email = page.GetByLabel("E-mail address");
        var password = page.GetByLabel("Password");

        await submit.ClickAsync();
        await Expect(page.GetByText("Enter your e-mail address.")).ToBeVisibleAsync();
        await Expect(page.GetByText("Enter your password.")).ToBeVisibleAsync();
        await Expect(email).ToBeFocusedAsync();
        await Expect(email).ToHaveAttributeAsync("aria-invalid", "true");

        await email.FillAsync("not-an-address");
        await password.FillAsync("onlyletters");
        await submit.ClickAsync();
        await Expect(page.GetByText("Enter a valid e-mail address, like name@example.com.")).ToBeVisibleAsync();
        await Expect(page.GetByText("The password needs a letter and a digit or symbol.")).ToBeVisibleAsync();
        await Screenshots.Save(page, "signup-validation", output);

        await password.FillAsync("short1");
        await email.FillAsync(DashboardPage.NewEmail());
        await submit.ClickAsync();
        await Expect(page.GetByText("The password must be 8 to 256 characters long.")).ToBeVisibleAsync();
        Assert.EndsWith("/signup", page.Url);
    }

    [Fact]
    public async Task Sign_up_with_a_taken_address_shows_the_gateways_message()
    {
        var email = DashboardPage.NewEmail();
        await using (var first = await fixture.OpenAsync())
        {
            await first.SignUpAsync(email);
        }

        await using var dashboard = await fixture.OpenAsync();
        var page = dashboard.Page;
        await dashboard.GotoAsync("/signup");
        await page.GetByLabel("E-mail address").FillAsync(email);
        await page.GetByLabel("Password").FillAsync(DashboardFixture.Password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Create account" }).ClickAsync();

        await Expect(page.GetByRole(AriaRole.Alert)).ToHaveTextAsync("An account with this e-mail address already exists.");
    }

    [Fact]
    public async Task Log_in_refuses_a_wrong_password_then_logs_in_and_out()
    {
        var email = DashboardPage.NewEmail();
        await using (var first = await fixture.OpenAsync())
        {
            await first.SignUpAsync(email);
        }

        await using var dashboard = await fixture.OpenAsync();
        var page = dashboard.Page;
        await dashboard.GotoAsync("/");
        await page.WaitForURLAsync("**/login");
        await page.GetByLabel("E-mail address").FillAsync(email);
        await page.GetByLabel("Password").FillAsync("wrong password 1");
        await page.GetByRole(AriaRole.Button, new() { Name = "Log in" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Alert)).ToHaveTextAsync("Incorrect e-mail address or password.");
        await Screenshots.Save(page, "login", output);

        await page.GetByLabel("Password").FillAsync(DashboardFixture.Password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Log in" }).ClickAsync();
        await page.WaitForURLAsync("**/keys");
        await Expect(page.GetByText(email)).ToBeVisibleAsync();

        await page.GetByRole(AriaRole.Button, new() { Name = "Log out" }).ClickAsync();
        await page.WaitForURLAsync("**/login");
        await dashboard.GotoAsync("/usage");
        Assert.EndsWith("/login", page.Url);
    }

    [Fact]
    public async Task Signed_in_pages_send_a_visitor_without_a_session_to_log_in()
    {
        await using var dashboard = await fixture.OpenAsync();
        foreach (var path in new[] { "/", "/keys", "/usage" })
        {
            await dashboard.GotoAsync(path);
            Assert.EndsWith("/login", dashboard.Page.Url);
        }

        Assert.Empty(dashboard.ConsoleErrors);
    }
}
