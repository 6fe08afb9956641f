using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace DosAi.Orleans.Cluster.Tests.Infrastructure;

/// <summary>One gateway node, called over HTTP as an operator (admin API) and a customer (/v1) would.</summary>
public sealed class GatewayClient(string baseUrl, string adminToken) : IDisposable
{
    private readonly HttpClient http = new(new SocketsHttpHandler { MaxConnectionsPerServer = 64 })
    {
        BaseAddress = new Uri(baseUrl),
        Timeout = TimeSpan.FromSeconds(60),
    };

    public string BaseUrl => baseUrl;

    public async Task<bool> IsReady()
    {
        try
        {
            return (await http.GetAsync("/readyz")).StatusCode == HttpStatusCode.OK;
        }
        catch (HttpRequestException)
        {
            return false;
        }
    }

    public async Task<string> CreateAccount(string plan, decimal credits)
    {
        var response = await Admin(HttpMethod.Post, "/admin/accounts", new { email = $"user-{Guid.NewGuid():N}@example.com", plan });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var id = (await response.Content.ReadFromJsonAsync<JsonObject>())!["id"]!.GetValue<string>();
        Assert.Equal(HttpStatusCode.OK, await AddCredits(id, credits, "initial"));
        return id;
    }

    public async Task<HttpStatusCode> AddCredits(string accountId, decimal amountUsd, string reference) =>
        (await Admin(HttpMethod.Post, $"/admin/accounts/{accountId}/credits", new { amount_usd = amountUsd, reference })).StatusCode;

    public async Task<(string Id, string Key)> CreateKey(string accountId)
    {
        var response = await Admin(HttpMethod.Post, $"/admin/accounts/{accountId}/keys", new { name = "load" });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var json = (await response.Content.ReadFromJsonAsync<JsonObject>())!;
        return (json["id"]!.GetValue<string>(), json["key"]!.GetValue<string>());
    }

    public async Task DeleteKey(string keyId) =>
        Assert.Equal(HttpStatusCode.NoContent, (await Admin(HttpMethod.Delete, $"/admin/keys/{keyId}", null)).StatusCode);

    public async Task<JsonObject> Account(string accountId)
    {
        var response = await Admin(HttpMethod.Get, $"/admin/accounts/{accountId}", null);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonObject>())!;
    }

    /// <summary>The whole ledger, page by page.</summary>
    public async Task<List<JsonObject>> Ledger(string accountId)
    {
        var entries = new List<JsonObject>();
        var hasMore = true;
        while (hasMore)
        {
            var after = entries.Count > 0 ? $"&after={entries[^1]["id"]!.GetValue<string>()}" : "";
            var response = await Admin(HttpMethod.Get, $"/admin/accounts/{accountId}/ledger?limit=1000{after}", null);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var page = (await response.Content.ReadFromJsonAsync<JsonObject>())!;
            entries.AddRange(page["data"]!.AsArray().Select(entry => entry!.AsObject()));
            hasMore = page["has_more"]!.GetValue<bool>();
        }

        return entries;
    }

    /// <summary>Signs up through the account API; the session cookie it set (<c>name=value</c>).</summary>
    public async Task<string> SignUp(string email, string password)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/auth/signup") { Content = JsonContent.Create(new { email, password }) };
        request.Headers.Add("X-Requested-With", "XMLHttpRequest");
        using var response = await http.SendAsync(request);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return response.Headers.GetValues("Set-Cookie").Single().Split(';')[0];
    }

    /// <summary><c>GET /api/account</c> with a session cookie: the status and the e-mail address it names.</summary>
    public async Task<(HttpStatusCode Status, string? Email)> AccountWithCookie(string cookie)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/account");
        request.Headers.Add("Cookie", cookie);
        using var response = await http.SendAsync(request);
        return response.StatusCode == HttpStatusCode.OK
            ? (response.StatusCode, (await response.Content.ReadFromJsonAsync<JsonObject>())!["email"]!.GetValue<string>())
            : (response.StatusCode, null);
    }

    /// <summary>One chat completion; the status code, or 0 when the gateway could not be reached.</summary>
    public async Task<int> Chat(string key)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
        {
            Content = JsonContent.Create(new { model = "fake-model", max_tokens = 16, messages = new[] { new { role = "user", content = "Hi" } } }),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        try
        {
            using var response = await http.SendAsync(request);
            await response.Content.LoadIntoBufferAsync();
            return (int)response.StatusCode;
        }
        catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException)
        {
            return 0;
        }
    }

    public void Dispose() => http.Dispose();

    private Task<HttpResponseMessage> Admin(HttpMethod method, string path, object? body)
    {
        var request = new HttpRequestMessage(method, path) { Content = body is null ? null : JsonContent.Create(body) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", adminToken);
        return http.SendAsync(request);
    }
}
