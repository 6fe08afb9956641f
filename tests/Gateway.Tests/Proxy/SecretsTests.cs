using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using DosAi.Orleans.Gateway.Tests.Infrastructure;
using OpenAI.Chat;

namespace DosAi.Orleans.Gateway.Tests.Proxy;

public sealed class SecretsTests
{
    [Fact]
    public async Task Keys_passwords_and_tokens_never_reach_the_logs_even_at_trace_level()
    {
        var logs = new RecordingLoggerProvider();
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await GatewayHost.StartAsync(upstream.BaseUrl, logs: logs);
        using var admin = new AdminClient(gateway.BaseUrl);
        const string password = "Secret-Passw0rd-For-Logs";
        using var browser = new HttpClient(new HttpClientHandler { CookieContainer = new CookieContainer() }) { BaseAddress = new Uri(gateway.BaseUrl) };
        browser.DefaultRequestHeaders.Add("X-Requested-With", "XMLHttpRequest");
        var signup = await browser.PostAsJsonAsync("/api/auth/signup", new { email = $"logs+{Guid.NewGuid():N}@example.com", password });
        var account = (await signup.Content.ReadFromJsonAsync<JsonObject>())!["id"]!.GetValue<string>();
        await browser.PostAsJsonAsync("/api/auth/login", new { email = "nobody@example.com", password });
        await admin.AddCredits(account, 1, "logs");
        var key = (await (await browser.PostAsJsonAsync("/api/keys", new { name = "k" })).Content.ReadFromJsonAsync<JsonObject>())!["key"]!.GetValue<string>();

        await Sdk.Chat(gateway.BaseUrl, key).CompleteChatAsync([new UserChatMessage("hi")]);
        // A wrong checksum: the last character changed (to one it is not: a key ends in '0' one time in 62).
        var wrong = key[..^1] + (key[^1] == '0' ? '1' : '0');
        await Assert.ThrowsAnyAsync<Exception>(() => Sdk.Chat(gateway.BaseUrl, wrong).CompleteChatAsync([new UserChatMessage("hi")]));
        using var http = new HttpClient { BaseAddress = new Uri(gateway.BaseUrl) };
        using var refused = Requests.Chat(key);
        refused.Headers.Add("x-fake-status", "401");
        Assert.Equal(HttpStatusCode.BadGateway, (await http.SendAsync(refused)).StatusCode);
        await admin.Ledger(account);

        Assert.Contains(logs.Lines, line => line.StartsWith("Warning", StringComparison.Ordinal) && line.Contains("refuses the gateway's credential", StringComparison.Ordinal));
        foreach (var secret in new[] { key, key[7..], password, GatewayHost.AdminToken, "upstream-secret" })
        {
            Assert.DoesNotContain(logs.Lines, line => line.Contains(secret, StringComparison.Ordinal));
        }
    }
}
