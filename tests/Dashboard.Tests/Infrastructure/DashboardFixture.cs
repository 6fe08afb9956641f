using System.Net.Http.Headers;
using System.Net.Http.Json;
using DosAi.Orleans.Gateway.Tests.Infrastructure;
using Microsoft.Playwright;

namespace DosAi.Orleans.Dashboard.Tests.Infrastructure;

/// <summary>One fake upstream, one real gateway and one headless Chromium, shared by the dashboard tests.</summary>
public sealed class DashboardFixture : IAsyncLifetime
{
    public const string Password = "correct horse 9";

    private IPlaywright playwright = null!;
    private GatewayLogFile? logFile;

    public FakeUpstream Upstream { get; private set; } = null!;

    public GatewayHost Gateway { get; private set; } = null!;

    public IBrowser Browser { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Upstream = await FakeUpstream.StartAsync();
        logFile = new GatewayLogFile(Path.Combine(Screenshots.Directory, "..", "dashboard-gateway.log"));
        Gateway = await GatewayHost.StartAsync(Upstream.BaseUrl, logs: logFile, settings: new Dictionary<string, string?>
        {
            // New accounts can call the API at once; the leak test needs more than 60 requests a minute.
            ["Accounts:SignupCreditUsd"] = "5",
            ["Plans:Free:RequestsPerMinute"] = "1000",
        });
        // Playwright's 5-s default for expectations is short for Chromium, Kestrel, a silo and SQLite sharing two loaded cores.
        Assertions.SetDefaultExpectTimeout(20_000);
        playwright = await Playwright.CreateAsync();
        Browser = await playwright.Chromium.LaunchAsync(Chromium.LaunchOptions());
    }

    /// <summary>A fresh browser profile (no cookies) on the gateway; console errors are recorded.</summary>
    public async Task<DashboardPage> OpenAsync(int width = 1280, int height = 800)
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = Gateway.BaseUrl,
            Locale = "en-US",
            TimezoneId = "UTC",
            ViewportSize = new ViewportSize { Width = width, Height = height },
            Permissions = ["clipboard-read", "clipboard-write"],
        });
        return new DashboardPage(context, await context.NewPageAsync());
    }

    /// <summary>A chat completion with the key, as any OpenAI client would send it; returns the HTTP status.</summary>
    public async Task<int> ChatAsync(string key)
    {
        using var http = new HttpClient { BaseAddress = new Uri(Gateway.BaseUrl) };
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
        {
            Content = JsonContent.Create(new { model = "fake-model", max_tokens = 50, messages = new[] { new { role = "user", content = "hi" } } }),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        using var response = await http.SendAsync(request);
        return (int)response.StatusCode;
    }

    public async Task DisposeAsync()
    {
        await Browser.DisposeAsync();
        playwright.Dispose();
        await Gateway.DisposeAsync();
        await Upstream.DisposeAsync();
        logFile?.Dispose();
    }
}

[CollectionDefinition(Name)]
public sealed class DashboardCollection : ICollectionFixture<DashboardFixture>
{
    public const string Name = "dashboard";
}
