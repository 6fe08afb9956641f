using System.ClientModel;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using DosAi.Orleans.Gateway.Tests.Infrastructure;
using DosAi.Orleans.Grains.Hosting;
using DosAi.Orleans.Grains.Interfaces.Accounts;
using Microsoft.Extensions.DependencyInjection;
using OpenAI.Chat;

namespace DosAi.Orleans.Gateway.Tests.Proxy;

/// <summary>Tests that need gateways of their own: restarts, an unreachable upstream, no admin token.</summary>
public sealed class EmbeddedNodeTests
{
    [Fact]
    public async Task Restarting_the_embedded_node_keeps_accounts_keys_balances_and_ledger()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        string account, keyId, key, dataDirectory;
        await using (var first = await GatewayHost.StartAsync(upstream.BaseUrl))
        {
            dataDirectory = first.DataDirectory;
            using var admin = new AdminClient(first.BaseUrl);
            account = await admin.CreateAccount(plan: "Plus", credits: 2);
            await admin.AddCredits(account, 0.5m, "second");
            (keyId, key) = await admin.CreateKey(account, "kept");
            await Sdk.Chat(first.BaseUrl, key).CompleteChatAsync([new UserChatMessage("hi")]);
            Assert.Equal(2.499943m, await admin.BalanceOnceItIs(account, 2.499943m));
        }

        await using var second = await GatewayHost.StartAsync(upstream.BaseUrl, dataDirectory: dataDirectory);
        using var admin2 = new AdminClient(second.BaseUrl);
        var restored = await admin2.GetAccount(account);
        Assert.Equal(2.499943m, restored["balance_usd"]!.GetValue<decimal>());
        Assert.Equal("Plus", restored["plan"]!.GetValue<string>());
        Assert.Equal(1, restored["key_count"]!.GetValue<int>());
        Assert.Equal(["topup", "topup", "charge"], (await admin2.Ledger(account)).Select(e => e!["type"]!.GetValue<string>()));
        var grains = second.Services.GetRequiredService<IGrainFactory>();
        var listed = Assert.Single(await grains.GetGrain<IAccountGrain>(account).ListKeys());
        Assert.NotNull(listed.LastUsedAt); // written behind, flushed on the graceful stop

        var result = await Sdk.Chat(second.BaseUrl, key).CompleteChatAsync([new UserChatMessage("hi again")]);
        Assert.Equal("Hello from the fake upstream.", result.Value.Content[0].Text);
        Assert.Equal(2.499886m, await admin2.BalanceOnceItIs(account, 2.499886m));

        await admin2.DeleteKey(keyId);
        await using var third = await RestartAsync(second, upstream, dataDirectory);
        var failure = await Assert.ThrowsAsync<ClientResultException>(() => Sdk.Chat(third.BaseUrl, key).CompleteChatAsync([new UserChatMessage("hi")]));
        Assert.Equal(401, failure.Status);
    }

    [Fact]
    public async Task Charges_a_key_still_holds_when_the_node_stops_are_in_the_balance_and_ledger_after_a_restart()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        string account, key, dataDirectory;
        await using (var first = await GatewayHost.StartAsync(upstream.BaseUrl))
        {
            dataDirectory = first.DataDirectory;
            using var admin = new AdminClient(first.BaseUrl);
            account = await admin.CreateAccount(plan: "Plus", credits: 2);
            (_, key) = await admin.CreateKey(account, "busy");
            for (var i = 0; i < 3; i++)
            {
                await Sdk.Chat(first.BaseUrl, key).CompleteChatAsync([new UserChatMessage("hi")]);
            }

            // Stopped at once: no read has asked the key for its charges, and its tick may not have come.
        }

        await using var second = await GatewayHost.StartAsync(upstream.BaseUrl, dataDirectory: dataDirectory);
        using var admin2 = new AdminClient(second.BaseUrl);
        Assert.Equal(2m - 3 * 0.000057m, (await admin2.GetAccount(account))["balance_usd"]!.GetValue<decimal>());
        Assert.Equal(["topup", "charge", "charge", "charge"], (await admin2.Ledger(account)).Select(e => e!["type"]!.GetValue<string>()));
    }

    private static async Task<GatewayHost> RestartAsync(GatewayHost running, FakeUpstream upstream, string dataDirectory)
    {
        await running.DisposeAsync();
        return await GatewayHost.StartAsync(upstream.BaseUrl, dataDirectory: dataDirectory);
    }

    [Fact]
    public async Task An_unreachable_upstream_gives_502_and_nothing_is_charged()
    {
        // Port 9 (discard): never served on this machine, unlike a port found free that a parallel test may take.
        await using var gateway = await GatewayHost.StartAsync("http://127.0.0.1:9");
        using var admin = new AdminClient(gateway.BaseUrl);
        var account = await admin.CreateAccount(credits: 1);
        var (_, key) = await admin.CreateKey(account);

        var failure = await Assert.ThrowsAsync<ClientResultException>(() => Sdk.Chat(gateway.BaseUrl, key).CompleteChatAsync([new UserChatMessage("hi")]));

        Assert.Equal(502, failure.Status);
        Assert.True(failure.GetRawResponse()!.Headers.TryGetValue("x-ratelimit-remaining-requests", out _));
        Assert.Contains("\"upstream_error\"", failure.GetRawResponse()!.Content.ToString(), StringComparison.Ordinal);
        await Task.Delay(300);
        Assert.Equal(1m, await admin.Balance(account));
        Assert.Single(await admin.Ledger(account));
    }

    [Fact]
    public async Task Without_an_admin_token_the_admin_api_answers_404()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await GatewayHost.StartAsync(upstream.BaseUrl, settings: new Dictionary<string, string?> { ["Admin:Token"] = "" });
        using var admin = new AdminClient(gateway.BaseUrl);

        var response = await admin.Http.PostAsync("/admin/accounts", new StringContent("{}"));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("not_found", (await response.Content.ReadFromJsonAsync<JsonObject>())!["error"]!["code"]!.GetValue<string>());
    }
}
