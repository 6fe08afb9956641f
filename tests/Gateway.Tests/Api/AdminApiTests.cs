using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using DosAi.Orleans.Gateway.Tests.Infrastructure;
using OpenAI.Chat;

namespace DosAi.Orleans.Gateway.Tests.Api;

[Collection(GatewayCollection.Name)]
public sealed class AdminApiTests(GatewayFixture fixture)
{
    private HttpClient Admin => fixture.Admin.Http;

    [Theory]
    [InlineData(null)]
    [InlineData("wrong-token")]
    public async Task A_missing_or_wrong_admin_token_gets_401(string? token)
    {
        using var http = fixture.Http();
        if (token is not null)
        {
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        var response = await http.PostAsJsonAsync("/admin/accounts", new { email = "x@example.com" });

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.NotNull((await response.Content.ReadFromJsonAsync<JsonObject>())!["error"]);
    }

    [Fact]
    public async Task Create_and_read_an_account()
    {
        var email = $"ops-{Guid.NewGuid():N}@example.com";
        var created = await Admin.PostAsJsonAsync("/admin/accounts", new { email, plan = "Plus" });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var body = (await created.Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.Equal((email, "Plus", 0m), (body["email"]!.GetValue<string>(), body["plan"]!.GetValue<string>(), body["balance_usd"]!.GetValue<decimal>()));

        var account = await fixture.Admin.GetAccount(body["id"]!.GetValue<string>());
        Assert.Equal(0, account["key_count"]!.GetValue<int>());
        Assert.Equal(120, account["limits"]!["requests_per_minute"]!.GetValue<int>());

        Assert.Equal(HttpStatusCode.Conflict, (await Admin.PostAsJsonAsync("/admin/accounts", new { email })).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await Admin.PostAsJsonAsync("/admin/accounts", new { email = "nope" })).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await Admin.PostAsJsonAsync("/admin/accounts", new { email = $"a{Guid.NewGuid():N}@example.com", plan = "Gold" })).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await Admin.GetAsync("/admin/accounts/acct_missing")).StatusCode);
    }

    [Fact]
    public async Task Credits_are_idempotent_per_reference_and_validated()
    {
        var account = await fixture.Admin.CreateAccount();
        Assert.Equal(10m, await fixture.Admin.AddCredits(account, 10, "inv-1"));
        Assert.Equal(10m, await fixture.Admin.AddCredits(account, 10, "inv-1"));
        Assert.Equal(7.5m, await fixture.Admin.AddCredits(account, -2.5m, "refund-1"));
        Assert.Equal(0m, await fixture.Admin.AddCredits(account, -100, "writeoff-1"));

        Assert.Equal(HttpStatusCode.Conflict, (await Admin.PostAsJsonAsync($"/admin/accounts/{account}/credits", new { amount_usd = 11, reference = "inv-1" })).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await Admin.PostAsJsonAsync($"/admin/accounts/{account}/credits", new { amount_usd = 0.0000001m, reference = "tiny" })).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await Admin.PostAsJsonAsync($"/admin/accounts/{account}/credits", new { amount_usd = 1 })).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await Admin.PostAsJsonAsync($"/admin/accounts/{account}/credits", new { amount_usd = 0, reference = "nothing" })).StatusCode);
        // A NUL cannot be stored in PostgreSQL text: it once failed every ledger commit of the accounts written with it.
        Assert.Equal(HttpStatusCode.BadRequest, (await Admin.PostAsJsonAsync($"/admin/accounts/{account}/credits", new { amount_usd = 1, reference = "inv\u0000-2" })).StatusCode);

        var ledger = await fixture.Admin.Ledger(account);
        Assert.Equal(["topup", "adjustment", "adjustment"], ledger.Select(e => e!["type"]!.GetValue<string>()));
        Assert.Equal([10m, -2.5m, -7.5m], ledger.Select(e => e!["amount_usd"]!.GetValue<decimal>()));
    }

    [Fact]
    public async Task The_ledger_pages_oldest_first()
    {
        var account = await fixture.Admin.CreateAccount();
        for (var i = 1; i <= 5; i++)
        {
            await fixture.Admin.AddCredits(account, i, $"ref-{i}");
        }

        var first = (await Admin.GetFromJsonAsync<JsonObject>($"/admin/accounts/{account}/ledger?limit=2"))!;
        Assert.True(first["has_more"]!.GetValue<bool>());
        var last = first["data"]!.AsArray()[^1]!["id"]!.GetValue<string>();
        var second = (await Admin.GetFromJsonAsync<JsonObject>($"/admin/accounts/{account}/ledger?limit=10&after={last}"))!;
        Assert.False(second["has_more"]!.GetValue<bool>());
        Assert.Equal(["ref-3", "ref-4", "ref-5"], second["data"]!.AsArray().Select(e => e!["reference"]!.GetValue<string>()));
    }

    [Theory]
    [InlineData("le_-5")]
    [InlineData("le_ 1")]
    [InlineData("le_+1")]
    [InlineData("le_1.0")]
    [InlineData("entry")]
    [InlineData("")]
    public async Task A_ledger_cursor_that_is_no_entry_id_is_refused(string after)
    {
        var account = await fixture.Admin.CreateAccount();

        var response = await Admin.GetAsync($"/admin/accounts/{account}/ledger?after={Uri.EscapeDataString(after)}");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("after must be a ledger entry id (le_…).", (await response.Content.ReadFromJsonAsync<JsonObject>())!["error"]!["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_plan_change_takes_effect_for_existing_keys_at_once()
    {
        var account = await fixture.Admin.CreateAccount(credits: 1);
        var (_, key) = await fixture.Admin.CreateKey(account);
        await fixture.Chat(key).CompleteChatAsync([new UserChatMessage("hi")]);

        var response = await Admin.PutAsJsonAsync($"/admin/accounts/{account}/plan", new { plan = "Pro" });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        var result = await fixture.Chat(key).CompleteChatAsync([new UserChatMessage("hi")]);
        result.GetRawResponse().Headers.TryGetValue("x-ratelimit-limit-requests", out var limit);
        Assert.Equal("300", limit);
        Assert.Equal(HttpStatusCode.BadRequest, (await Admin.PutAsJsonAsync($"/admin/accounts/{account}/plan", new { plan = "Gold" })).StatusCode);
    }

    [Fact]
    public async Task Keys_are_created_and_deleted_by_id()
    {
        var account = await fixture.Admin.CreateAccount(credits: 1);
        var (keyId, key) = await fixture.Admin.CreateKey(account, "ci");
        Assert.Matches("^dos_sk_[A-Za-z0-9]{32}$", key);
        Assert.Equal(1, (await fixture.Admin.GetAccount(account))["key_count"]!.GetValue<int>());

        await fixture.Admin.DeleteKey(keyId);
        Assert.Equal(HttpStatusCode.NotFound, (await Admin.DeleteAsync($"/admin/keys/{keyId}")).StatusCode);
        Assert.Equal(0, (await fixture.Admin.GetAccount(account))["key_count"]!.GetValue<int>());
    }
}
