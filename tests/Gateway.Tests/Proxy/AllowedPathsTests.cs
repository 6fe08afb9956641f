using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using DosAi.Orleans.Gateway.Tests.Infrastructure;

namespace DosAi.Orleans.Gateway.Tests.Proxy;

public sealed class AllowedPathsTests
{
    [Theory]
    [InlineData("GET", "/v1/models", HttpStatusCode.OK)]
    [InlineData("GET", "/V1/Models/?limit=5", HttpStatusCode.OK)]
    [InlineData("GET", "/v1/models/fake-model", HttpStatusCode.OK)]
    [InlineData("POST", "/v1/chat/completions", HttpStatusCode.OK)]
    [InlineData("GET", "/v1/chat/completions", HttpStatusCode.NotFound)]
    [InlineData("GET", "/v1/chat/completions/chatcmpl-1/messages", HttpStatusCode.NotFound)]
    [InlineData("GET", "/v1/files", HttpStatusCode.NotFound)]
    [InlineData("POST", "/v1/realtime/client_secrets", HttpStatusCode.NotFound)]
    [InlineData("GET", "/v1/models-and-more", HttpStatusCode.NotFound)]
    public async Task With_allowed_paths_set_only_the_requests_they_name_reach_the_upstream(string method, string path, HttpStatusCode expected)
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await GatewayHost.StartAsync(upstream.BaseUrl, settings: new Dictionary<string, string?>
        {
            ["Upstream:AllowedPaths:0"] = "POST /v1/chat/completions",
            ["Upstream:AllowedPaths:1"] = "/v1/models",
            ["Upstream:AllowedPaths:2"] = "GET /v1/models/*",
        });
        using var admin = new AdminClient(gateway.BaseUrl);
        var account = await admin.CreateAccount(credits: 1);
        var (_, key) = await admin.CreateKey(account);
        using var http = new HttpClient { BaseAddress = new Uri(gateway.BaseUrl) };
        using var request = new HttpRequestMessage(new HttpMethod(method), path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        if (method == "POST")
        {
            request.Content = JsonContent.Create(new { model = "m", messages = new[] { new { role = "user", content = "hi" } } });
        }

        var response = await http.SendAsync(request);

        Assert.Equal(expected, response.StatusCode);
        Assert.Equal(expected == HttpStatusCode.OK ? 1 : 0, upstream.Requests.Count);
        if (expected == HttpStatusCode.NotFound)
        {
            Assert.Equal("not_found", (await response.Content.ReadFromJsonAsync<JsonObject>())!["error"]!["code"]!.GetValue<string>());
        }
    }

    [Fact]
    public async Task A_deleted_key_gets_401_on_a_path_that_is_not_allowed_too()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await GatewayHost.StartAsync(upstream.BaseUrl, settings: new Dictionary<string, string?>
        {
            ["Upstream:AllowedPaths:0"] = "POST /v1/chat/completions",
        });
        using var admin = new AdminClient(gateway.BaseUrl);
        var account = await admin.CreateAccount(credits: 1);
        var (keyId, key) = await admin.CreateKey(account);
        await admin.DeleteKey(keyId);
        using var http = new HttpClient { BaseAddress = new Uri(gateway.BaseUrl) };
        using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/models");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);

        var response = await http.SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("invalid_api_key", (await response.Content.ReadFromJsonAsync<JsonObject>())!["error"]!["code"]!.GetValue<string>());
    }
}
