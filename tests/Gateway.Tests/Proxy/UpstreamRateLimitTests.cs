using System.Net;
using System.Text.Json.Nodes;
using DosAi.Orleans.Gateway.Tests.Infrastructure;

namespace DosAi.Orleans.Gateway.Tests.Proxy;

public sealed class UpstreamRateLimitTests
{
    [Fact]
    public async Task An_upstream_429_is_answered_in_the_gateways_words_with_its_wait_uncharged_and_logged_once()
    {
        var logs = new RecordingLoggerProvider();
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await GatewayHost.StartAsync(upstream.BaseUrl, logs: logs);
        using var admin = new AdminClient(gateway.BaseUrl);
        var account = await admin.CreateAccount(credits: 1);
        var (_, key) = await admin.CreateKey(account);
        using var http = new HttpClient { BaseAddress = new Uri(gateway.BaseUrl) };

        foreach (var stream in new[] { "false", "true" })
        {
            using var request = Requests.Chat(key, $$"""{"model":"fake-model","stream":{{stream}},"messages":[{"role":"user","content":"hi"}]}""");
            request.Headers.Add("x-fake-status", "429");
            request.Headers.Add("x-fake-error-code", "insufficient_quota");
            request.Headers.Add(FakeUpstream.ResponseHeaderPrefix + "retry-after", "2");
            request.Headers.Add(FakeUpstream.ResponseHeaderPrefix + "retry-after-ms", "1500");
            request.Headers.Add(FakeUpstream.ResponseHeaderPrefix + "x-ratelimit-remaining-requests", "0");

            var response = await http.SendAsync(request);

            Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
            var body = await response.Content.ReadAsStringAsync();
            Assert.DoesNotContain("upstream says no", body, StringComparison.Ordinal);
            var error = JsonNode.Parse(body)!["error"]!;
            Assert.Equal(("upstream_error", "upstream_rate_limited"), (error["type"]!.GetValue<string>(), error["code"]!.GetValue<string>()));
            Assert.Contains("not your key's. Please try again in 1.5s.", error["message"]!.GetValue<string>(), StringComparison.Ordinal);
            Assert.Equal("1500", response.Headers.GetValues("retry-after-ms").Single());
            Assert.Equal("2", response.Headers.GetValues("Retry-After").Single());
            Assert.NotEqual("0", response.Headers.GetValues("x-ratelimit-remaining-requests").Single());
        }

        await Task.Delay(300);
        Assert.Equal(1m, await admin.Balance(account));
        var warning = Assert.Single(logs.Lines, line => line.Contains("429 Too Many Requests", StringComparison.Ordinal));
        Assert.StartsWith("Warning", warning, StringComparison.Ordinal);
        Assert.Contains("(insufficient_quota)", warning, StringComparison.Ordinal);
    }
}
