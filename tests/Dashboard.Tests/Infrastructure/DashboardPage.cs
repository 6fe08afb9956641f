using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace DosAi.Orleans.Dashboard.Tests.Infrastructure;

/// <summary>One browser tab on the dashboard, with what a person does there and the console errors it logs.</summary>
public sealed class DashboardPage(IBrowserContext context, IPage page) : IAsyncDisposable
{
    private readonly List<string> consoleErrors = Record(page);

    public IPage Page => page;

    /// <summary>Console errors and uncaught exceptions (CSP violations and failed loads included).</summary>
    public IReadOnlyList<string> ConsoleErrors => consoleErrors;

    public static string NewEmail() => $"person+{Guid.NewGuid():N}@example.com";

    public async Task<IResponse> GotoAsync(string path) =>
        await page.GotoAsync(path) ?? throw new InvalidOperationException($"No response for {path}.");

    public async Task SignUpAsync(string email, string password = DashboardFixture.Password)
    {
        await GotoAsync("/signup");
        await page.GetByLabel("E-mail address").FillAsync(email);
        await page.GetByLabel("Password").FillAsync(password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Create account" }).ClickAsync();
        await page.WaitForURLAsync("**/keys");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "API Keys" })).ToBeVisibleAsync();
    }

    /// <summary>Creates a key in the dialog and returns the raw key as the page shows it, leaving the dialog open.</summary>
    public async Task<string> CreateKeyAsync(string name)
    {
        await page.GetByRole(AriaRole.Button, new() { Name = "Create new key" }).ClickAsync();
        await page.GetByLabel("Name", new() { Exact = true }).FillAsync(name);
        await page.GetByRole(AriaRole.Button, new() { Name = "Create key" }).ClickAsync();
        await Expect(page.GetByText("Copy it now: it will not be shown again.")).ToBeVisibleAsync();
        return await page.GetByLabel("Secret key").InputValueAsync();
    }

    public ILocator KeyRow(string name) => page.Locator("#keys-body tr", new() { Has = page.GetByRole(AriaRole.Cell, new() { Name = name, Exact = true }) });

    /// <summary>Reloads until <paramref name="condition"/> holds: write-behind data shows up within seconds, not at once.</summary>
    public async Task ReloadUntilAsync(Func<Task<bool>> condition, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(45); // generous for a loaded 2-core machine
        while (!await condition())
        {
            if (DateTime.UtcNow >= deadline)
            {
                var text = await page.InnerTextAsync("body");
                Assert.Fail($"Timed out waiting for {what}. Console: {string.Join(" | ", ConsoleErrors)} Page: {text[..Math.Min(1500, text.Length)]}");
            }

            await Task.Delay(250);
            // Pages render after their API calls: wait for those too, or the check races the rendering.
            await page.ReloadAsync(new() { WaitUntil = WaitUntilState.NetworkIdle });
        }
    }

    /// <summary>The sum of every data point of the Chart.js chart on the canvas, or -1 while there is no chart.</summary>
    public Task<double> ChartSumAsync(string canvasId) => page.EvaluateAsync<double>(
        """
        id => {
          const chart = Chart.getChart(document.getElementById(id));
          return chart ? chart.data.datasets.flatMap(d => d.data).reduce((a, b) => a + b, 0) : -1;
        }
        """,
        canvasId);

    public Task<string[]> ChartLabelsAsync(string canvasId) => page.EvaluateAsync<string[]>(
        "id => Chart.getChart(document.getElementById(id)).data.datasets.map(d => d.label)", canvasId);

    private static List<string> Record(IPage page)
    {
        var errors = new List<string>();
        page.Console += (_, message) =>
        {
            if (message.Type == "error")
            {
                lock (errors)
                {
                    errors.Add(message.Text);
                }
            }
        };
        page.PageError += (_, error) =>
        {
            lock (errors)
            {
                errors.Add(error);
            }
        };
        return errors;
    }

    public async ValueTask DisposeAsync() => await context.DisposeAsync();
}
