using System.ClientModel;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using DosAi.Orleans.Gateway.Tests.Infrastructure;
using OpenAI.Chat;

namespace DosAi.Orleans.Gateway.Tests.Api;

[Collection(GatewayCollection.Name)]
public sealed class AccountApiTests(GatewayFixture fixture)
{
    private HttpClient Browser(bool csrfHeader = true)
    {
        var client = new HttpClient(new HttpClientHandler { CookieContainer = new CookieContainer() }) { BaseAddress = new Uri(fixture.Gateway.BaseUrl) };
        if (csrfHeader)
        {
            client.DefaultRequestHeaders.Add("X-Requested-With", "XMLHttpRequest");
        }

        return client;
    }

    private static string NewEmail() => $"person+{Guid.NewGuid():N}@example.com";

    [Fact]
    public async Task Sign_up_create_a_key_use_it_list_it_and_delete_it()
    {
        using var browser = Browser();
        var email = NewEmail();
        var signup = await browser.PostAsJsonAsync("/api/auth/signup", new { email, password = "correct horse 9" });
        Assert.Equal(HttpStatusCode.Created, signup.StatusCode);
        var cookie = signup.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("dosai_session=", StringComparison.Ordinal));
        Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=strict", cookie, StringComparison.OrdinalIgnoreCase);

        var account = (await browser.GetFromJsonAsync<JsonObject>("/api/account"))!;
        Assert.Equal((email, "Free", 0m), (account["email"]!.GetValue<string>(), account["plan"]!.GetValue<string>(), account["balance_usd"]!.GetValue<decimal>()));
        Assert.Equal(60, account["limits"]!["requests_per_minute"]!.GetValue<int>());
        Assert.Equal(100_000, account["limits"]!["tokens_per_minute"]!.GetValue<int>());

        var created = await browser.PostAsJsonAsync("/api/keys", new { name = "laptop" });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var key = (await created.Content.ReadFromJsonAsync<JsonObject>())!;
        var raw = key["key"]!.GetValue<string>();
        Assert.Equal("dos_sk_…" + raw[^4..], key["hint"]!.GetValue<string>());

        var listed = (await browser.GetFromJsonAsync<JsonObject>("/api/keys"))!["data"]!.AsArray().Single()!;
        Assert.Equal(("laptop", (string?)null), (listed["name"]!.GetValue<string>(), listed["last_used_at"]?.ToString()));
        Assert.DoesNotContain(raw, listed.ToJsonString(), StringComparison.Ordinal);

        await fixture.Admin.AddCredits(account["id"]!.GetValue<string>(), 1, "manual");
        await fixture.Chat(raw).CompleteChatAsync([new UserChatMessage("hi")]);
        listed = (await browser.GetFromJsonAsync<JsonObject>("/api/keys"))!["data"]!.AsArray().Single()!;
        Assert.NotNull(listed["last_used_at"]);

        Assert.Equal(HttpStatusCode.NoContent, (await browser.DeleteAsync($"/api/keys/{key["id"]}")).StatusCode);
        Assert.Empty((await browser.GetFromJsonAsync<JsonObject>("/api/keys"))!["data"]!.AsArray());
        Assert.Equal(401, (await Assert.ThrowsAsync<ClientResultException>(() => fixture.Chat(raw).CompleteChatAsync([new UserChatMessage("hi")]))).Status);
    }

    [Fact]
    public async Task Usage_shows_each_keys_requests_tokens_and_cost_and_adds_up_to_the_ledger()
    {
        using var browser = Browser();
        var signup = await browser.PostAsJsonAsync("/api/auth/signup", new { email = NewEmail(), password = "long enough 1" });
        var accountId = (await signup.Content.ReadFromJsonAsync<JsonObject>())!["id"]!.GetValue<string>();
        await fixture.Admin.AddCredits(accountId, 1, "manual");
        var key = (await (await browser.PostAsJsonAsync("/api/keys", new { name = "a" })).Content.ReadFromJsonAsync<JsonObject>())!;
        for (var i = 0; i < 3; i++)
        {
            await fixture.Chat(key["key"]!.GetValue<string>()).CompleteChatAsync([new UserChatMessage("hi")]);
        }

        var now = fixture.Clock.GetUtcNow().ToUnixTimeSeconds();
        JsonArray buckets;
        var deadline = DateTime.UtcNow.AddSeconds(30);
        do
        {
            await Task.Delay(50);
            buckets = (await browser.GetFromJsonAsync<JsonObject>($"/api/usage?from={now - 86_400}&to={now + 3_600}&granularity=day"))!["data"]!.AsArray();
        }
        while (buckets.Sum(b => b!["requests"]!.GetValue<long>()) < 3 && DateTime.UtcNow < deadline);

        var bucket = Assert.Single(buckets)!;
        Assert.Equal(key["id"]!.GetValue<string>(), bucket["key_id"]!.GetValue<string>());
        Assert.Equal((3L, 36L, 102L, 0.000171m), (bucket["requests"]!.GetValue<long>(), bucket["prompt_tokens"]!.GetValue<long>(),
            bucket["completion_tokens"]!.GetValue<long>(), bucket["cost_usd"]!.GetValue<decimal>()));
        var charged = (await fixture.Admin.Ledger(accountId)).Where(e => e!["type"]!.GetValue<string>() == "charge").Sum(e => -e!["amount_usd"]!.GetValue<decimal>());
        Assert.Equal(charged, bucket["cost_usd"]!.GetValue<decimal>());

        Assert.Equal(HttpStatusCode.BadRequest, (await browser.GetAsync("/api/usage?granularity=week")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await browser.GetAsync($"/api/usage?from={now}&to={now - 10}")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await browser.GetAsync($"/api/usage?from={now - 30 * 86_400}&to={now}&granularity=minute")).StatusCode);
        Assert.Empty((await browser.GetFromJsonAsync<JsonObject>($"/api/usage?from={now - 86_400}&to={now + 3_600}&key_id=key_other"))!["data"]!.AsArray());
    }

    [Fact]
    public async Task Cookie_authenticated_writes_without_the_csrf_header_get_403()
    {
        using var browser = Browser();
        await browser.PostAsJsonAsync("/api/auth/signup", new { email = NewEmail(), password = "long enough 1" });
        browser.DefaultRequestHeaders.Remove("X-Requested-With");

        Assert.Equal(HttpStatusCode.Forbidden, (await browser.PostAsJsonAsync("/api/keys", new { name = "x" })).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await browser.DeleteAsync("/api/keys/key_whatever")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await browser.PostAsync("/api/auth/logout", null)).StatusCode);
        Assert.Empty((await browser.GetFromJsonAsync<JsonObject>("/api/keys"))!["data"]!.AsArray());
    }

    [Fact]
    public async Task Signup_validates_and_refuses_a_taken_email()
    {
        using var browser = Browser();
        var email = NewEmail();
        Assert.Equal(HttpStatusCode.BadRequest, (await browser.PostAsJsonAsync("/api/auth/signup", new { email = "not-an-email", password = "long enough 1" })).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await browser.PostAsJsonAsync("/api/auth/signup", new { email, password = "short1" })).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await browser.PostAsJsonAsync("/api/auth/signup", new { email, password = "onlyletterslong" })).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await browser.PostAsJsonAsync("/api/auth/signup", new { email, password = "long enough 1" })).StatusCode);
        using var other = Browser();
        Assert.Equal(HttpStatusCode.Conflict, (await other.PostAsJsonAsync("/api/auth/signup", new { email = email.ToUpperInvariant(), password = "long enough 1" })).StatusCode);
    }

    [Fact]
    public async Task Login_logout_and_one_generic_error_for_every_failure()
    {
        var email = NewEmail();
        using (var signup = Browser())
        {
            await signup.PostAsJsonAsync("/api/auth/signup", new { email, password = "long enough 1" });
        }

        using var browser = Browser();
        var wrongPassword = await browser.PostAsJsonAsync("/api/auth/login", new { email, password = "wrong password 1" });
        var unknownEmail = await browser.PostAsJsonAsync("/api/auth/login", new { email = NewEmail(), password = "long enough 1" });
        Assert.Equal(HttpStatusCode.Unauthorized, wrongPassword.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, unknownEmail.StatusCode);
        Assert.Equal(await wrongPassword.Content.ReadAsStringAsync(), await unknownEmail.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.Unauthorized, (await browser.GetAsync("/api/account")).StatusCode);

        Assert.Equal(HttpStatusCode.OK, (await browser.PostAsJsonAsync("/api/auth/login", new { email, password = "long enough 1" })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/api/account")).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await browser.PostAsync("/api/auth/logout", null)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await browser.GetAsync("/api/account")).StatusCode);
    }

    [Fact]
    public async Task A_logout_ends_the_session_for_every_copy_of_its_cookie()
    {
        var email = NewEmail();
        using var browser = Browser();
        var signup = await browser.PostAsJsonAsync("/api/auth/signup", new { email, password = "long enough 1" });
        var cookie = signup.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("dosai_session=", StringComparison.Ordinal)).Split(';')[0];
        using var copy = new HttpClient { BaseAddress = new Uri(fixture.Gateway.BaseUrl) };
        copy.DefaultRequestHeaders.Add("Cookie", cookie);
        Assert.Equal(HttpStatusCode.OK, (await copy.GetAsync("/api/account")).StatusCode);

        Assert.Equal(HttpStatusCode.NoContent, (await browser.PostAsync("/api/auth/logout", null)).StatusCode);

        Assert.Equal(HttpStatusCode.Unauthorized, (await copy.GetAsync("/api/account")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await browser.PostAsJsonAsync("/api/auth/login", new { email, password = "long enough 1" })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/api/account")).StatusCode); // a new session works
    }

    [Theory]
    [InlineData("a\u0000b@example.com")]
    [InlineData("\"a\u0000b\"@example.com")]
    [InlineData("a@exam\nple.com")]
    public async Task An_email_address_with_control_characters_is_refused(string escapedEmail)
    {
        using var browser = Browser();
        using var body = new StringContent($$"""{"email":"{{escapedEmail}}","password":"long enough 1"}""", System.Text.Encoding.UTF8, "application/json");

        var response = await browser.PostAsync("/api/auth/signup", body);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task Repeated_failed_logins_for_one_account_are_throttled()
    {
        var email = NewEmail();
        using var browser = Browser();
        await browser.PostAsJsonAsync("/api/auth/signup", new { email, password = "long enough 1" });

        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await browser.PostAsJsonAsync("/api/auth/login", new { email, password = $"wrong password {i}" })).StatusCode);
        }

        var throttled = await browser.PostAsJsonAsync("/api/auth/login", new { email, password = "long enough 1" });
        Assert.Equal(HttpStatusCode.TooManyRequests, throttled.StatusCode);
        Assert.True(throttled.Headers.RetryAfter?.Delta > TimeSpan.Zero);
    }

    [Fact]
    public async Task Sign_ups_are_throttled_per_client_address_as_forwarded_by_a_proxy_but_not_from_this_machine()
    {
        await using var gateway = await GatewayHost.StartAsync(fixture.Upstream.BaseUrl, settings: new Dictionary<string, string?>
        {
            ["Accounts:SignupsPerHourPerAddress"] = "2",
            ["ForwardedHeaders_Enabled"] = "true", // what ASPNETCORE_FORWARDEDHEADERS_ENABLED=true sets
        });
        using var proxy = new HttpClient { BaseAddress = new Uri(gateway.BaseUrl) };

        async Task<HttpResponseMessage> SignUpFrom(string? client)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/api/auth/signup") { Content = JsonContent.Create(new { email = NewEmail(), password = "long enough 1" }) };
            if (client is not null)
            {
                request.Headers.Add("X-Forwarded-For", client);
            }

            return await proxy.SendAsync(request);
        }

        Assert.Equal(HttpStatusCode.Created, (await SignUpFrom("203.0.113.7")).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await SignUpFrom("203.0.113.7")).StatusCode);
        var throttled = await SignUpFrom("203.0.113.7");
        Assert.Equal(HttpStatusCode.TooManyRequests, throttled.StatusCode);
        Assert.True(throttled.Headers.RetryAfter?.Delta > TimeSpan.FromMinutes(50));
        Assert.Equal("too_many_signups", (await throttled.Content.ReadFromJsonAsync<JsonObject>())!["error"]!["code"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.Created, (await SignUpFrom("198.51.100.20")).StatusCode);
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(HttpStatusCode.Created, (await SignUpFrom(null)).StatusCode);
        }
    }

    [Fact]
    public async Task Deleting_another_accounts_key_is_404()
    {
        var victim = await fixture.Admin.CreateAccount(credits: 1);
        var (victimKeyId, victimKey) = await fixture.Admin.CreateKey(victim);
        using var browser = Browser();
        await browser.PostAsJsonAsync("/api/auth/signup", new { email = NewEmail(), password = "long enough 1" });

        Assert.Equal(HttpStatusCode.NotFound, (await browser.DeleteAsync($"/api/keys/{victimKeyId}")).StatusCode);
        await fixture.Chat(victimKey).CompleteChatAsync([new UserChatMessage("still works")]);
    }
}
