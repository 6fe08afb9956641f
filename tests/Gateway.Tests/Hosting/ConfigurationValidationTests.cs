using DosAi.Orleans.Gateway.Tests.Infrastructure;

namespace DosAi.Orleans.Gateway.Tests.Hosting;

public sealed class ConfigurationValidationTests
{
    [Theory]
    [InlineData("Upstream:BaseUrl", "not-a-url", "Upstream:BaseUrl must be an absolute http:// or https:// URL")]
    [InlineData("Upstream:BaseUrl", "ftp://127.0.0.1/", "Upstream:BaseUrl must be an absolute http:// or https:// URL")]
    [InlineData("Upstream:Timeout", "00:00:00", "Upstream:Timeout must be longer than zero")]
    [InlineData("Upstream:AllowedPaths:0", "chat/completions", "Upstream:AllowedPaths must be rules [METHOD ]/v1/path[/*]")]
    [InlineData("Upstream:AllowedPaths:0", "/v1/", "Upstream:AllowedPaths must be rules [METHOD ]/v1/path[/*]")]
    [InlineData("Upstream:AllowedPaths:0", "GET /v1/*/files", "Upstream:AllowedPaths must be rules [METHOD ]/v1/path[/*]")]
    [InlineData("Upstream:AllowedPaths:0", "PO$T /v1/models", "Upstream:AllowedPaths must be rules [METHOD ]/v1/path[/*]")]
    [InlineData("Limits:DefaultCompletionTokens", "-3", "Limits:DefaultCompletionTokens must be zero or more")]
    [InlineData("Limits:MaxRequestBodyBytes", "0", "Limits:MaxRequestBodyBytes must be more than zero")]
    [InlineData("Pricing:Default:InputPerMillionTokens", "-0.5", "must be zero or more")]
    [InlineData("Pricing:Models:gpt-4o:OutputPerMillionTokens", "-10", "must be zero or more")]
    [InlineData("Accounts:SignupCreditUsd", "-1", "Accounts:SignupCreditUsd must be zero or more, with at most six decimals")]
    [InlineData("Accounts:SignupCreditUsd", "0.0000001", "Accounts:SignupCreditUsd must be zero or more, with at most six decimals")]
    [InlineData("Accounts:DefaultPlan", "Gold", "Accounts:DefaultPlan must name a configured plan")]
    [InlineData("Accounts:SignupsPerHourPerAddress", "0", "Accounts:SignupsPerHourPerAddress must be at least 1")]
    [InlineData("Plans:Free:RequestsPerMinute", "-5", "Plans:<Name>:RequestsPerMinute and Plans:<Name>:TokensPerMinute must be at least 1")]
    [InlineData("Plans:Free:RequestsPerMinute", "0", "Plans:<Name>:RequestsPerMinute and Plans:<Name>:TokensPerMinute must be at least 1")]
    [InlineData("Plans:Team:TokensPerMinute", "0", "Plans:<Name>:RequestsPerMinute and Plans:<Name>:TokensPerMinute must be at least 1")]
    [InlineData("Plans:Free:RequestsPerMinute", "abc", "Plans:Free:RequestsPerMinute must be a whole number, not 'abc'")]
    [InlineData("Plans:Free:RequestPerMinute", "5", "Plans:Free:RequestPerMinute is not a setting: expected RequestsPerMinute or TokensPerMinute")]
    [InlineData("Plans:Free", "100", "Plans:Free must be a section of RequestsPerMinute or TokensPerMinute, not a value")]
    [InlineData("Pricing:Models:gpt-4o:OutputPerMillionTokens", "ten", "Pricing:Models:gpt-4o:OutputPerMillionTokens must be a number, not 'ten'")]
    [InlineData("Pricing:Models:gpt-4o:OutputPerMilionTokens", "10", "Pricing:Models:gpt-4o:OutputPerMilionTokens is not a setting: expected InputPerMillionTokens or OutputPerMillionTokens")]
    [InlineData("Persistence:WriteBehindInterval", "00:00:00", "Persistence:WriteBehindInterval and Persistence:LedgerWriteInterval must be at least")]
    [InlineData("Persistence:LedgerWriteInterval", "-00:00:01", "Persistence:WriteBehindInterval and Persistence:LedgerWriteInterval must be at least")]
    public async Task A_misconfigured_node_refuses_to_start_and_names_the_key(string key, string value, string message)
    {
        var failure = await Assert.ThrowsAnyAsync<Exception>(() =>
            GatewayHost.StartAsync("http://127.0.0.1:9", settings: new Dictionary<string, string?> { [key] = value }));

        Assert.Contains(message, failure.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Free_models_a_new_default_plan_and_no_default_completion_cap_are_valid_configuration()
    {
        await using var gateway = await GatewayHost.StartAsync("http://127.0.0.1:9", settings: new Dictionary<string, string?>
        {
            ["Plans:Team:RequestsPerMinute"] = "1",
            ["Plans:Team:TokensPerMinute"] = "1",
            ["Pricing:Models:local-llama:InputPerMillionTokens"] = "0",
            ["Accounts:DefaultPlan"] = "team",
            ["Limits:DefaultCompletionTokens"] = "0",
        });

        using var http = new HttpClient { BaseAddress = new Uri(gateway.BaseUrl) };
        Assert.Equal(System.Net.HttpStatusCode.OK, (await http.GetAsync("/healthz")).StatusCode);
    }
}
