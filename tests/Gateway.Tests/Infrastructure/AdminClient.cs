using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace DosAi.Orleans.Gateway.Tests.Infrastructure;

/// <summary>The operator API, as a script or an operator would call it.</summary>
public sealed class AdminClient(string baseUrl) : IDisposable
{
    private readonly HttpClient http = new()
    {
        BaseAddress = new Uri(baseUrl),
        DefaultRequestHeaders = { Authorization = new AuthenticationHeaderValue("Bearer", GatewayHost.AdminToken) },
    };

    public HttpClient Http => http;

    public async Task<string> CreateAccount(string plan = "Free", decimal credits = 0)
    {
        var response = await http.PostAsJsonAsync("/admin/accounts", new { email = $"user-{Guid.NewGuid():N}@example.com", plan });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var id = (await response.Content.ReadFromJsonAsync<JsonObject>())!["id"]!.GetValue<string>();
        if (credits != 0)
        {
            await AddCredits(id, credits, "initial");
        }

        return id;
    }

    public async Task<decimal> AddCredits(string accountId, decimal amountUsd, string reference)
    {
        var response = await http.PostAsJsonAsync($"/admin/accounts/{accountId}/credits", new { amount_usd = amountUsd, reference });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonObject>())!["balance_usd"]!.GetValue<decimal>();
    }

    public async Task<(string Id, string Key)> CreateKey(string accountId, string name = "test key")
    {
        var response = await http.PostAsJsonAsync($"/admin/accounts/{accountId}/keys", new { name });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var json = (await response.Content.ReadFromJsonAsync<JsonObject>())!;
        return (json["id"]!.GetValue<string>(), json["key"]!.GetValue<string>());
    }

    public async Task<JsonObject> GetAccount(string accountId) =>
        (await http.GetFromJsonAsync<JsonObject>($"/admin/accounts/{accountId}"))!;

    public async Task<decimal> Balance(string accountId) => (await GetAccount(accountId))["balance_usd"]!.GetValue<decimal>();

    public async Task<JsonArray> Ledger(string accountId) =>
        (await http.GetFromJsonAsync<JsonObject>($"/admin/accounts/{accountId}/ledger?limit=1000"))!["data"]!.AsArray();

    /// <summary>Settlement finishes right after the response; give it a moment to land.</summary>
    public async Task<decimal> BalanceOnceItIs(string accountId, decimal expected)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        decimal balance;
        while ((balance = await Balance(accountId)) != expected && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }

        return balance;
    }

    public async Task DeleteKey(string keyId) =>
        Assert.Equal(HttpStatusCode.NoContent, (await http.DeleteAsync($"/admin/keys/{keyId}")).StatusCode);

    public void Dispose() => http.Dispose();
}
