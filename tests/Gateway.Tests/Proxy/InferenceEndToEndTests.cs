using System.ClientModel;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using DosAi.Orleans.Gateway.Admission;
using DosAi.Orleans.Gateway.Metering;
using DosAi.Orleans.Gateway.Tests.Infrastructure;
using OpenAI.Chat;

namespace DosAi.Orleans.Gateway.Tests.Proxy;

[Collection(GatewayCollection.Name)]
public sealed class InferenceEndToEndTests(GatewayFixture fixture)
{
    private static readonly TokenCounter Tokens = new();

    private static readonly string[] RateLimitHeaders =
    [
        "x-ratelimit-limit-requests", "x-ratelimit-remaining-requests", "x-ratelimit-reset-requests",
        "x-ratelimit-limit-tokens", "x-ratelimit-remaining-tokens", "x-ratelimit-reset-tokens",
    ];

    [Fact]
    public async Task A_chat_completion_through_the_official_sdk_succeeds_with_rate_limit_headers()
    {
        var account = await fixture.Admin.CreateAccount(credits: 1);
        var (_, key) = await fixture.Admin.CreateKey(account);

        var result = await fixture.Chat(key).CompleteChatAsync([new UserChatMessage("Say hello")]);

        Assert.Equal("Hello from the fake upstream.", result.Value.Content[0].Text);
        var headers = result.GetRawResponse().Headers;
        foreach (var name in RateLimitHeaders)
        {
            Assert.True(headers.TryGetValue(name, out _), $"missing {name}");
        }

        headers.TryGetValue("x-ratelimit-limit-requests", out var limit);
        headers.TryGetValue("x-ratelimit-remaining-requests", out var remaining);
        headers.TryGetValue("x-ratelimit-reset-requests", out var reset);
        Assert.Equal(("60", "59", "1m0s"), (limit, remaining, reset));
    }

    [Fact]
    public async Task The_upstream_gets_path_query_and_its_own_credential_but_never_the_client_key_cookies_or_choice_of_account_and_is_asked_for_identity_encoding()
    {
        var account = await fixture.Admin.CreateAccount(credits: 1);
        var (_, key) = await fixture.Admin.CreateKey(account);
        using var http = fixture.Http();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/models?limit=5&order=asc");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        request.Headers.Add("Cookie", "dosai_session=secret");
        request.Headers.Add("Accept-Encoding", "gzip, br");
        request.Headers.Add("OpenAI-Organization", "org-someone-else");
        request.Headers.Add("OpenAI-Project", "proj_someone_else");
        request.Headers.Add("X-Request-Id", "kept");

        var response = await http.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var seen = fixture.Upstream.Requests.Last(r => r.PathAndQuery.StartsWith("/v1/models", StringComparison.Ordinal));
        Assert.Equal("/v1/models?limit=5&order=asc", seen.PathAndQuery);
        Assert.Equal("Bearer upstream-secret", seen.Authorization);
        Assert.Empty(seen.Cookie);
        Assert.Equal("identity", seen.AcceptEncoding);
        Assert.False(seen.Headers.ContainsKey("OpenAI-Organization") || seen.Headers.ContainsKey("OpenAI-Project"));
        Assert.Equal("kept", seen.Headers["X-Request-Id"]);
        Assert.DoesNotContain(fixture.Upstream.Requests, r => r.Authorization.Contains(key, StringComparison.Ordinal));
    }

    public static TheoryData<string?, string> MissingOrInvalid => new()
    {
        { null, "missing_api_key" },
        { "Basic dXNlcjpwYXNz", "missing_api_key" },
        { "Bearer ", "missing_api_key" },
        { "Bearer sk-proj-not-ours", "invalid_api_key" },
        { "Bearer dos_sk_tooShort", "invalid_api_key" },
        { "Bearer " + ApiKeyFormat.Generate()[..^1] + "!", "invalid_api_key" },
    };

    [Theory]
    [MemberData(nameof(MissingOrInvalid))]
    public async Task Missing_and_malformed_keys_get_401(string? authorization, string code)
    {
        using var http = fixture.Http();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
        {
            Content = new StringContent("""{"model":"m","messages":[]}""", Encoding.UTF8, "application/json"),
        };
        if (authorization is not null)
        {
            request.Headers.TryAddWithoutValidation("Authorization", authorization);
        }

        var response = await http.SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        var error = (await response.Content.ReadFromJsonAsync<JsonObject>())!["error"]!;
        Assert.Equal(code, error["code"]!.GetValue<string>());
        Assert.Equal("invalid_request_error", error["type"]!.GetValue<string>());
    }

    [Fact]
    public async Task Two_authorization_headers_get_401_invalid_api_key_saying_so_even_when_both_hold_the_key()
    {
        var account = await fixture.Admin.CreateAccount(credits: 1);
        var (_, key) = await fixture.Admin.CreateKey(account);
        var uri = new Uri(fixture.Gateway.BaseUrl);
        const string body = """{"model":"m","messages":[{"role":"user","content":"hi"}]}""";
        using var client = new System.Net.Sockets.TcpClient();
        await client.ConnectAsync(uri.Host, uri.Port);
        await using var stream = client.GetStream();
        // Two header lines, as HttpClient would never send them.
        var request = $"POST /v1/chat/completions HTTP/1.1\r\nHost: {uri.Authority}\r\nAuthorization: Bearer {key}\r\nAuthorization: Bearer {key}\r\n"
            + $"Content-Type: application/json\r\nContent-Length: {body.Length}\r\nConnection: close\r\n\r\n{body}";
        await stream.WriteAsync(Encoding.ASCII.GetBytes(request));

        var response = await new StreamReader(stream).ReadToEndAsync();

        Assert.StartsWith("HTTP/1.1 401", response, StringComparison.Ordinal);
        var error = JsonNode.Parse(response[response.IndexOf('{', StringComparison.Ordinal)..(response.LastIndexOf('}') + 1)])!["error"]!;
        Assert.Equal("invalid_api_key", error["code"]!.GetValue<string>());
        Assert.Contains("more than one Authorization header", error["message"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(1m, await fixture.Admin.Balance(account));
    }

    [Fact]
    public async Task A_key_with_a_wrong_checksum_unknown_key_and_deleted_key_get_401_through_the_sdk()
    {
        var account = await fixture.Admin.CreateAccount(credits: 1);
        var (keyId, key) = await fixture.Admin.CreateKey(account);
        var flipped = key[..^1] + (key[^1] == 'a' ? 'b' : 'a');
        var unknown = ApiKeyFormat.Generate();

        await AssertInvalidKey(flipped);
        await AssertInvalidKey(unknown);
        await fixture.Chat(key).CompleteChatAsync([new UserChatMessage("hi")]);
        await fixture.Admin.DeleteKey(keyId);
        await AssertInvalidKey(key);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_large_body_is_read_only_for_a_key_that_exists(bool declaresLength)
    {
        var account = await fixture.Admin.CreateAccount(credits: 1);
        var (keyId, deleted) = await fixture.Admin.CreateKey(account);
        await fixture.Admin.DeleteKey(keyId);
        var (_, key) = await fixture.Admin.CreateKey(account);
        var text = string.Concat(Enumerable.Repeat("Lorem ipsum dolor sit amet. ", 2_000));
        // Unterminated: were it read, it would be refused as invalid JSON; a made-up or deleted key is refused first.
        var unread = $$"""{"model":"m","messages":[{"role":"user","content":"{{text}}"}""";
        using var http = fixture.Http();

        HttpRequestMessage Chat(string apiKey, string body)
        {
            var request = Requests.Chat(apiKey, body);
            request.Headers.TransferEncodingChunked = !declaresLength;
            return request;
        }

        var madeUp = await http.SendAsync(Chat(ApiKeyFormat.Generate(), unread));
        var gone = await http.SendAsync(Chat(deleted, unread));
        var read = await http.SendAsync(Chat(key, unread));
        var served = await http.SendAsync(Chat(key, unread + "]}"));

        Assert.Equal((HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized), (madeUp.StatusCode, gone.StatusCode));
        Assert.Contains("invalid_api_key", await gone.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, read.StatusCode);
        Assert.Equal(HttpStatusCode.OK, served.StatusCode);
    }

    [Fact]
    public async Task A_websocket_session_is_refused_since_its_usage_could_not_be_metered()
    {
        var account = await fixture.Admin.CreateAccount(credits: 1);
        var (_, key) = await fixture.Admin.CreateKey(account);
        using var socket = new System.Net.WebSockets.ClientWebSocket();
        socket.Options.SetRequestHeader("Authorization", "Bearer " + key);
        socket.Options.CollectHttpResponseDetails = true;
        var before = fixture.Upstream.Requests.Count;

        await Assert.ThrowsAsync<System.Net.WebSockets.WebSocketException>(() =>
            socket.ConnectAsync(new Uri(fixture.Gateway.BaseUrl.Replace("http://", "ws://", StringComparison.Ordinal) + "/v1/realtime?model=gpt-4o-realtime"), CancellationToken.None));

        Assert.Equal(HttpStatusCode.BadRequest, socket.HttpStatusCode);
        Assert.Equal(before, fixture.Upstream.Requests.Count);
    }

    [Fact]
    public async Task An_h2c_upgrade_offer_as_curl_sends_it_is_served_as_http_1_1()
    {
        var account = await fixture.Admin.CreateAccount(credits: 1);
        var (_, key) = await fixture.Admin.CreateKey(account);
        var gateway = new Uri(fixture.Gateway.BaseUrl);
        using var tcp = new System.Net.Sockets.TcpClient();
        await tcp.ConnectAsync(gateway.Host, gateway.Port);
        var stream = tcp.GetStream();

        await stream.WriteAsync(Encoding.ASCII.GetBytes(
            $"GET /v1/models HTTP/1.1\r\nHost: {gateway.Authority}\r\nAuthorization: Bearer {key}\r\nConnection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\nHTTP2-Settings: AAMAAABkAAQCAAAAAAIAAAAA\r\n\r\n"));
        using var reader = new StreamReader(stream, Encoding.ASCII);

        Assert.Equal("HTTP/1.1 200 OK", await reader.ReadLineAsync());
    }

    private async Task AssertInvalidKey(string key)
    {
        var failure = await Assert.ThrowsAsync<ClientResultException>(() => fixture.Chat(key).CompleteChatAsync([new UserChatMessage("hi")]));
        Assert.Equal(401, failure.Status);
        Assert.Contains("invalid_api_key", failure.GetRawResponse()!.Content.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_account_without_credits_gets_402()
    {
        var account = await fixture.Admin.CreateAccount();
        var (_, key) = await fixture.Admin.CreateKey(account);
        var forwardedBefore = fixture.Upstream.Requests.Count;

        var failure = await Assert.ThrowsAsync<ClientResultException>(() => fixture.Chat(key).CompleteChatAsync([new UserChatMessage("hi")]));

        Assert.Equal(402, failure.Status);
        Assert.Equal(forwardedBefore, fixture.Upstream.Requests.Count);
        var error = JsonNode.Parse(failure.GetRawResponse()!.Content.ToString())!["error"]!;
        Assert.Equal(("insufficient_quota", "insufficient_credits"), (error["type"]!.GetValue<string>(), error["code"]!.GetValue<string>()));
    }

    [Fact]
    public async Task Over_the_request_limit_gets_429_with_exact_retry_after_and_succeeds_once_it_has_passed()
    {
        var account = await fixture.Admin.CreateAccount(credits: 10);
        var (_, key) = await fixture.Admin.CreateKey(account);
        var chat = fixture.Chat(key);
        for (var i = 0; i < 60; i++)
        {
            await chat.CompleteChatAsync([new UserChatMessage("hi")]);
            fixture.Clock.Advance(TimeSpan.FromMilliseconds(250));
        }

        var failure = await Assert.ThrowsAsync<ClientResultException>(() => chat.CompleteChatAsync([new UserChatMessage("hi")]));

        Assert.Equal(429, failure.Status);
        var response = failure.GetRawResponse()!;
        var error = JsonNode.Parse(response.Content.ToString())!["error"]!;
        Assert.Equal(("requests", "rate_limit_exceeded"), (error["type"]!.GetValue<string>(), error["code"]!.GetValue<string>()));
        Assert.StartsWith("Rate limit reached for requests per minute: Limit 60, Used 60, Requested 1. Please try again in", error["message"]!.GetValue<string>());
        Assert.True(response.Headers.TryGetValue("retry-after-ms", out var retryAfterMs));
        Assert.True(response.Headers.TryGetValue("Retry-After", out var retryAfter));
        Assert.True(response.Headers.TryGetValue("x-ratelimit-remaining-requests", out var remaining));
        var wait = long.Parse(retryAfterMs!);
        // The first of the 60 was admitted 59 × 250 ms ago, so it leaves the window in 45 s.
        Assert.Equal(45_000, wait);
        Assert.Equal("45", retryAfter);
        Assert.Equal("0", remaining);

        fixture.Clock.Advance(TimeSpan.FromMilliseconds(wait - 1));
        Assert.Equal(429, (await Assert.ThrowsAsync<ClientResultException>(() => chat.CompleteChatAsync([new UserChatMessage("hi")]))).Status);
        fixture.Clock.Advance(TimeSpan.FromMilliseconds(1));
        await chat.CompleteChatAsync([new UserChatMessage("hi")]);
    }

    [Fact]
    public async Task A_burst_of_150_parallel_requests_on_a_fresh_free_key_admits_exactly_60()
    {
        var account = await fixture.Admin.CreateAccount(credits: 10);
        var (_, key) = await fixture.Admin.CreateKey(account);
        var chat = fixture.Chat(key);

        var statuses = await Task.WhenAll(Enumerable.Range(0, 150).Select(async _ =>
        {
            try
            {
                await chat.CompleteChatAsync([new UserChatMessage("hi")]);
                return 200;
            }
            catch (ClientResultException failure)
            {
                return failure.Status;
            }
        }));

        Assert.Equal(60, statuses.Count(s => s == 200));
        Assert.Equal(90, statuses.Count(s => s == 429));
    }

    [Fact]
    public async Task The_balance_decreases_by_exactly_usage_times_price()
    {
        var account = await fixture.Admin.CreateAccount(credits: 1);
        var (keyId, key) = await fixture.Admin.CreateKey(account);

        await fixture.Chat(key).CompleteChatAsync([new UserChatMessage("hi")]);

        // Default prices: $0.50 / $1.50 per million tokens → 12 × 0.5 + 34 × 1.5 = 57 µUSD.
        Assert.Equal(0.999943m, await fixture.Admin.BalanceOnceItIs(account, 0.999943m));
        var ledger = await fixture.Admin.Ledger(account);
        var charge = ledger.Single(e => e!["type"]!.GetValue<string>() == "charge")!;
        Assert.Equal(-0.000057m, charge["amount_usd"]!.GetValue<decimal>());
        Assert.Equal(keyId, charge["key_id"]!.GetValue<string>());
        Assert.Equal((12, 34), (charge["prompt_tokens"]!.GetValue<int>(), charge["completion_tokens"]!.GetValue<int>()));
        Assert.Equal(await fixture.Admin.Balance(account), ledger.Sum(e => e!["amount_usd"]!.GetValue<decimal>()));
    }

    [Fact]
    public async Task A_completion_whose_upstream_reports_no_usage_is_charged_its_prompt_estimate_and_the_tokens_of_its_text()
    {
        var account = await fixture.Admin.CreateAccount(credits: 1);
        var (_, key) = await fixture.Admin.CreateKey(account);
        using var http = fixture.Http();
        using var request = Requests.Chat(key, """{"model":"m","messages":[{"role":"user","content":"Say hello to the gateway, please."}]}""");
        request.Headers.Add("x-fake-no-usage", "1");
        var before = fixture.Upstream.Requests.Count;

        var response = await http.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var sent = fixture.Upstream.Requests.Skip(before).Single().Body;
        var prompt = InferenceRequest.Inspect(JsonDocument.Parse(sent).RootElement, "/v1/chat/completions", Tokens, 1024).PromptTokens;
        var completion = Tokens.Count(FakeUpstream.CompletionContent);
        var expected = 1m - (long)Math.Ceiling(prompt * 0.5m + completion * 1.5m) / 1_000_000m;
        Assert.Equal(expected, await fixture.Admin.BalanceOnceItIs(account, expected));
        var charge = (await fixture.Admin.Ledger(account)).Single(e => e!["type"]!.GetValue<string>() == "charge")!;
        Assert.Equal((prompt, (long)completion), (charge["prompt_tokens"]!.GetValue<long>(), charge["completion_tokens"]!.GetValue<long>()));
    }

    [Fact]
    public async Task An_upstream_error_status_is_passed_through_and_not_charged()
    {
        var account = await fixture.Admin.CreateAccount(credits: 1);
        var (_, key) = await fixture.Admin.CreateKey(account);
        using var http = fixture.Http();
        using var request = Requests.Chat(key);
        request.Headers.Add("x-fake-status", "400");

        var response = await http.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("upstream says no", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.True(response.Headers.Contains("x-ratelimit-remaining-requests"));
        await Task.Delay(300);
        Assert.Equal(1m, await fixture.Admin.Balance(account));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task An_upstream_refusing_the_gateways_credential_gives_502_not_the_upstreams_401_and_is_not_charged(bool stream)
    {
        var account = await fixture.Admin.CreateAccount(credits: 1);
        var (_, key) = await fixture.Admin.CreateKey(account);
        using var http = fixture.Http();
        using var request = Requests.Chat(key, $$"""{"model":"fake-model","stream":{{(stream ? "true" : "false")}},"messages":[{"role":"user","content":"hi"}]}""");
        request.Headers.Add("x-fake-status", "401");
        request.Headers.Add(FakeUpstream.ResponseHeaderPrefix + "www-authenticate", "Bearer realm=\"upstream\"");

        var response = await http.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        var body = await response.Content.ReadAsStringAsync();
        Assert.DoesNotContain("upstream says no", body, StringComparison.Ordinal);
        var error = JsonNode.Parse(body)!["error"]!;
        Assert.Equal(("upstream_error", "upstream_credentials_refused"), (error["type"]!.GetValue<string>(), error["code"]!.GetValue<string>()));
        Assert.Equal("false", response.Headers.GetValues("x-should-retry").Single());
        Assert.False(response.Headers.Contains("WWW-Authenticate"));
        Assert.True(response.Headers.Contains("x-ratelimit-remaining-requests"));
        await Task.Delay(300);
        Assert.Equal(1m, await fixture.Admin.Balance(account));
    }

    [Fact]
    public async Task Headers_about_the_operators_upstream_account_do_not_reach_the_client_and_the_rest_do()
    {
        var account = await fixture.Admin.CreateAccount(credits: 1);
        var (_, key) = await fixture.Admin.CreateKey(account);
        using var http = fixture.Http();
        using var request = Requests.Chat(key);
        foreach (var (name, value) in new[]
        {
            ("openai-organization", "org-operator"), ("OpenAI-Project", "proj_operator"), ("set-cookie", "__cf_bm=abc; path=/; domain=.api.example.com"),
            ("x-ratelimit-remaining-requests", "9999"), ("x-request-id", "req_upstream"), ("openai-processing-ms", "42"),
        })
        {
            request.Headers.Add(FakeUpstream.ResponseHeaderPrefix + name, value);
        }

        var response = await http.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        foreach (var name in new[] { "openai-organization", "openai-project", "set-cookie" })
        {
            Assert.False(response.Headers.Contains(name), $"{name} was passed on");
        }

        Assert.Equal("req_upstream", response.Headers.GetValues("x-request-id").Single());
        Assert.Equal("42", response.Headers.GetValues("openai-processing-ms").Single());
        Assert.Equal("59", response.Headers.GetValues("x-ratelimit-remaining-requests").Single());
    }

    [Fact]
    public async Task An_upstream_that_does_not_answer_in_time_gives_504_and_is_not_charged()
    {
        await using var gateway = await GatewayHost.StartAsync(fixture.Upstream.BaseUrl, settings: new Dictionary<string, string?>
        {
            ["Upstream:Timeout"] = "00:00:01",
        });
        using var admin = new AdminClient(gateway.BaseUrl);
        var account = await admin.CreateAccount(credits: 1);
        var (_, key) = await admin.CreateKey(account);
        using var http = new HttpClient { BaseAddress = new Uri(gateway.BaseUrl) };
        using var request = Requests.Chat(key);
        request.Headers.Add("x-fake-delay-ms", "3000");

        var response = await http.SendAsync(request);

        Assert.Equal(HttpStatusCode.GatewayTimeout, response.StatusCode);
        var error = (await response.Content.ReadFromJsonAsync<JsonObject>())!["error"]!;
        Assert.Equal("upstream_error", error["type"]!.GetValue<string>());
        await Task.Delay(300);
        Assert.Equal(1m, await admin.Balance(account));
    }

    [Theory]
    [InlineData("{not json", HttpStatusCode.BadRequest)]
    [InlineData("[1,2", HttpStatusCode.BadRequest)]
    public async Task Invalid_json_gets_400_in_the_error_shape(string body, HttpStatusCode expected)
    {
        var account = await fixture.Admin.CreateAccount(credits: 1);
        var (_, key) = await fixture.Admin.CreateKey(account);
        using var http = fixture.Http();
        using var request = Requests.Chat(key, body);

        var response = await http.SendAsync(request);

        Assert.Equal(expected, response.StatusCode);
        Assert.Equal("invalid_request_error", (await response.Content.ReadFromJsonAsync<JsonObject>())!["error"]!["type"]!.GetValue<string>());
    }

    // Each body is valid JSON syntax around text that is not valid Unicode; the upstream must never see it.
    public static TheoryData<string, byte[]> BodiesWithInvalidText => new()
    {
        { "invalid UTF-8 in a message", WithBytes("""{"model":"m","messages":[{"role":"user","content":"a""", [0xC3, 0x28], "\"}]}") },
        { "invalid UTF-8 in the model", WithBytes("""{"model":"m""", [0xFF], "\",\"messages\":[]}") },
        { "invalid UTF-8 in a field the gateway does not read", WithBytes("""{"model":"m","messages":[],"user":"u""", [0xED, 0xA0, 0x80], "\"}") },
        { "an escaped lone surrogate", Encoding.UTF8.GetBytes("""{"model":"m","messages":[{"role":"user","content":"\udc00"}]}""") },
    };

    private static byte[] WithBytes(string before, byte[] bytes, string after) =>
        [.. Encoding.UTF8.GetBytes(before), .. bytes, .. Encoding.UTF8.GetBytes(after)];

    [Theory]
    [MemberData(nameof(BodiesWithInvalidText))]
    public async Task A_body_with_text_that_is_not_valid_unicode_gets_400_invalid_json_and_is_not_forwarded(string what, byte[] body)
    {
        var account = await fixture.Admin.CreateAccount(credits: 1);
        var (_, key) = await fixture.Admin.CreateKey(account);
        using var http = fixture.Http();
        var forwardedBefore = fixture.Upstream.Requests.Count;
        using var request = Requests.Chat(key, body);

        var response = await http.SendAsync(request);

        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{what}: {(int)response.StatusCode}");
        var error = (await response.Content.ReadFromJsonAsync<JsonObject>())!["error"]!;
        Assert.Equal("invalid_request_error", error["type"]!.GetValue<string>());
        Assert.Equal("invalid_json", error["code"]!.GetValue<string>());
        Assert.Equal(forwardedBefore, fixture.Upstream.Requests.Count);
    }

    [Fact]
    public async Task An_oversized_body_gets_413()
    {
        var account = await fixture.Admin.CreateAccount(credits: 1);
        var (_, key) = await fixture.Admin.CreateKey(account);
        using var http = fixture.Http();
        using var request = Requests.Chat(key, $$"""{"model":"m","messages":[{"role":"user","content":"{{new string('x', 9 * 1024 * 1024)}}"}]}""");

        var response = await http.SendAsync(request);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
    }

    [Theory]
    [InlineData("text/plain")]
    [InlineData("application/x-anything")]
    public async Task A_json_body_under_another_content_type_is_estimated_all_the_same(string contentType)
    {
        var account = await fixture.Admin.CreateAccount(credits: 10);
        var (_, key) = await fixture.Admin.CreateKey(account);
        using var http = fixture.Http();
        using var request = Requests.Chat(key, """ {"model":"m","max_tokens":200000,"messages":[{"role":"user","content":"hi"}]}""");
        request.Content!.Headers.ContentType = new MediaTypeHeaderValue(contentType);
        using var notJson = Requests.Chat(key, "model=m&max_tokens=200000");
        notJson.Content!.Headers.ContentType = new MediaTypeHeaderValue(contentType);

        var response = await http.SendAsync(request);
        await http.SendAsync(notJson);

        Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
        Assert.Equal("request_too_large", (await response.Content.ReadFromJsonAsync<JsonObject>())!["error"]!["code"]!.GetValue<string>());
        Assert.Contains(fixture.Upstream.Requests, seen => seen.Body == "model=m&max_tokens=200000"); // not JSON, not ours to refuse
    }

    // What a lenient upstream reads otherwise than the gateway would meter: Python servers take 1 for true, Go
    // servers (Ollama) match names ignoring case and read the first JSON value of a body whatever its Content-Type.
    [Theory]
    [InlineData("""{"model":"m","stream":1,"messages":[{"role":"user","content":"hi"}]}""", "application/json", "invalid_type")]
    [InlineData("""{"model":"m","stream":"true","messages":[{"role":"user","content":"hi"}]}""", "application/json", "invalid_type")]
    [InlineData("""{"model":"cheap","MODEL":"big","messages":[{"role":"user","content":"hi"}]}""", "application/json", "unknown_parameter")]
    [InlineData("""{"model":"m","messages":[{"role":"user","content":"hi"}]} trailing""", "text/plain", "invalid_json")]
    [InlineData("""{"model":"m","messages":[{"role":"user","content":"hi"}""", "application/x-anything", "invalid_json")]
    public async Task A_body_the_upstream_could_read_otherwise_is_refused_and_not_forwarded(string body, string contentType, string code)
    {
        var account = await fixture.Admin.CreateAccount(credits: 1);
        var (_, key) = await fixture.Admin.CreateKey(account);
        using var http = fixture.Http();
        var forwardedBefore = fixture.Upstream.Requests.Count;
        using var request = Requests.Chat(key, body);
        request.Content!.Headers.ContentType = new MediaTypeHeaderValue(contentType);

        var response = await http.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var error = (await response.Content.ReadFromJsonAsync<JsonObject>())!["error"]!;
        Assert.Equal(("invalid_request_error", code), (error["type"]!.GetValue<string>(), error["code"]!.GetValue<string>()));
        Assert.Equal(forwardedBefore, fixture.Upstream.Requests.Count);
    }

    [Theory]
    [InlineData("/v1/chat/completions")]
    [InlineData("/v1/embeddings")]
    public async Task An_empty_body_where_json_is_expected_gets_400_and_is_not_forwarded(string path)
    {
        var account = await fixture.Admin.CreateAccount(credits: 1);
        var (_, key) = await fixture.Admin.CreateKey(account);
        using var http = fixture.Http();
        var forwardedBefore = fixture.Upstream.Requests.Count;
        using var request = new HttpRequestMessage(HttpMethod.Post, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);

        var response = await http.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("invalid_json", (await response.Content.ReadFromJsonAsync<JsonObject>())!["error"]!["code"]!.GetValue<string>());
        Assert.Equal(forwardedBefore, fixture.Upstream.Requests.Count);
    }

    [Theory]
    [InlineData("\"max_tokens\":200000")]
    [InlineData("\"max_tokens\":9223372036854775807")] // long.MaxValue: once an overflow, a 500
    [InlineData("\"max_completion_tokens\":9000000000000000000,\"n\":2")]
    public async Task A_request_whose_estimate_exceeds_the_plan_tpm_is_too_large_and_should_not_be_retried(string cap)
    {
        var account = await fixture.Admin.CreateAccount(credits: 10);
        var (_, key) = await fixture.Admin.CreateKey(account);
        using var http = fixture.Http();
        using var request = Requests.Chat(key, $$"""{"model":"m",{{cap}},"messages":[{"role":"user","content":"hi"}]}""");

        var response = await http.SendAsync(request);

        Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
        Assert.Equal("false", response.Headers.GetValues("x-should-retry").Single());
        Assert.Equal("request_too_large", (await response.Content.ReadFromJsonAsync<JsonObject>())!["error"]!["code"]!.GetValue<string>());
    }
}
