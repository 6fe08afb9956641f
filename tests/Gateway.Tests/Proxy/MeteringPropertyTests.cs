using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using DosAi.Orleans.Gateway.Tests.Infrastructure;

namespace DosAi.Orleans.Gateway.Tests.Proxy;

[Collection(GatewayCollection.Name)]
public sealed class MeteringPropertyTests(GatewayFixture fixture)
{
    private enum Kind { Json, Stream, AbortedStream }

    [Fact]
    public async Task Under_concurrency_with_aborts_the_ledger_matches_balance_usage_and_prices_and_never_goes_negative()
    {
        using var browser = new HttpClient(new HttpClientHandler { CookieContainer = new CookieContainer() }) { BaseAddress = new Uri(fixture.Gateway.BaseUrl) };
        var signup = await browser.PostAsJsonAsync("/api/auth/signup", new { email = $"load+{Guid.NewGuid():N}@example.com", password = "long enough 1" });
        var account = (await signup.Content.ReadFromJsonAsync<JsonObject>())!["id"]!.GetValue<string>();
        await fixture.Admin.Http.PutAsJsonAsync($"/admin/accounts/{account}/plan", new { plan = "Pro" });
        // Tight on purpose: ~60 µUSD per request runs out long before 500 requests are paid for.
        await fixture.Admin.AddCredits(account, 0.015m, "load");
        var keys = new List<string>();
        for (var i = 0; i < 10; i++)
        {
            keys.Add((await fixture.Admin.CreateKey(account, $"k{i}")).Key);
        }

        var random = new Random(42);
        var plan = Enumerable.Range(0, 500).Select(_ => (Kind: (Kind)random.Next(3), Key: keys[random.Next(keys.Count)])).ToList();
        var outcomes = new List<(Kind Kind, int Status)>();
        using var http = fixture.Http();
        await Parallel.ForEachAsync(plan, new ParallelOptions { MaxDegreeOfParallelism = 12 }, async (item, _) =>
        {
            var status = await Send(http, item.Kind, item.Key);
            lock (outcomes)
            {
                outcomes.Add((item.Kind, status));
            }
        });

        var admitted = outcomes.Count(o => o.Status == 200);
        var ledger = await LedgerOnceCharged(account, admitted);
        var balance = await fixture.Admin.Balance(account);
        Assert.True(outcomes.Count(o => o.Status == 402) > 0, "the credit limit was never reached");
        Assert.True(admitted > 100, $"only {admitted} admitted");
        Assert.Equal(0, outcomes.Count(o => o.Status is not (200 or 402)));

        // Ledger == balance, and the running balance never went below zero.
        Assert.Equal(balance, ledger.Sum(e => e.Amount));
        var running = 0m;
        foreach (var entry in ledger)
        {
            running += entry.Amount;
            Assert.True(running >= 0, $"balance went to {running}");
        }

        // Every charge is exactly usage × price; completed requests are charged the upstream's usage.
        var charges = ledger.Where(e => e.Type == "charge").ToList();
        Assert.All(charges, c => Assert.Equal(-Math.Ceiling(c.Prompt * 0.5m + c.Completion * 1.5m) / 1_000_000m, c.Amount));
        // Every admitted request produced output, so each has exactly one charge; an aborted stream
        // pays the upstream's usage if that still arrived, else prompt + the chunks produced.
        var completed = outcomes.Count(o => o.Status == 200 && o.Kind != Kind.AbortedStream);
        var aborted = outcomes.Count(o => o.Status == 200 && o.Kind == Kind.AbortedStream);
        Assert.Equal(admitted, charges.Count);
        var fullUsage = charges.Count(c => (c.Prompt, c.Completion) == (FakeUpstream.PromptTokens, FakeUpstream.CompletionTokens));
        Assert.InRange(fullUsage, completed, completed + aborted);
        Assert.All(charges.Where(c => (c.Prompt, c.Completion) != (FakeUpstream.PromptTokens, FakeUpstream.CompletionTokens)),
            c => Assert.InRange(c.Completion, 1, FakeUpstream.CompletionTokens));

        // Usage buckets add up to the ledger over the same period.
        var now = fixture.Clock.GetUtcNow().ToUnixTimeSeconds();
        var usage = (await browser.GetFromJsonAsync<JsonObject>($"/api/usage?from={now - 86_400}&to={now + 86_400}&granularity=day"))!["data"]!.AsArray();
        Assert.Equal(-charges.Sum(c => c.Amount), usage.Sum(b => b!["cost_usd"]!.GetValue<decimal>()));
        Assert.Equal(admitted, usage.Sum(b => b!["requests"]!.GetValue<long>()));
    }

    private static async Task<int> Send(HttpClient http, Kind kind, string key)
    {
        var stream = kind != Kind.Json ? ""","stream":true""" : "";
        using var request = Requests.Chat(key, $$"""{"model":"m","max_tokens":40{{stream}},"messages":[{"role":"user","content":"hi"}]}""");
        request.Headers.Add("x-fake-chunk-delay-ms", "20");
        using var cancel = new CancellationTokenSource();
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancel.Token);
        if (kind == Kind.AbortedStream && response.IsSuccessStatusCode)
        {
            using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(cancel.Token));
            await reader.ReadLineAsync(cancel.Token);
            await cancel.CancelAsync(); // disconnect mid-stream
        }
        else
        {
            await response.Content.ReadAsStringAsync(cancel.Token);
        }

        return (int)response.StatusCode;
    }

    /// <summary>
    /// Aborted streams settle once the gateway notices the client left: wait (generously, the machine may be loaded)
    /// until the ledger holds a charge per admitted request, then a little longer for any charge too many.
    /// </summary>
    private async Task<List<(string Type, decimal Amount, long Prompt, long Completion)>> LedgerOnceCharged(string account, int admitted)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while ((await fixture.Admin.Ledger(account)).Count(e => e!["type"]!.GetValue<string>() == "charge") < admitted && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
        }

        await Task.Delay(300);
        return (await fixture.Admin.Ledger(account)).Select(e => (
            e!["type"]!.GetValue<string>(),
            e["amount_usd"]!.GetValue<decimal>(),
            e["prompt_tokens"]!.GetValue<long>(),
            e["completion_tokens"]!.GetValue<long>())).ToList();
    }
}
