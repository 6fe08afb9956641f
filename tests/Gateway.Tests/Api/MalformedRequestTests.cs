using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using DosAi.Orleans.Gateway.Tests.Infrastructure;

namespace DosAi.Orleans.Gateway.Tests.Api;

/// <summary>Requests the management APIs cannot bind or route get an error in the contract's shape and leave no error in the logs.</summary>
public sealed class MalformedRequestTests
{
    [Fact]
    public async Task Unbindable_bodies_and_parameters_get_a_specific_400_and_are_not_logged_as_errors()
    {
        var logs = new RecordingLoggerProvider();
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await GatewayHost.StartAsync(upstream.BaseUrl, logs: logs);
        using var admin = new AdminClient(gateway.BaseUrl);
        var account = await admin.CreateAccount();

        var outOfRange = await Error(await admin.Http.PostAsync($"/admin/accounts/{account}/credits",
            new StringContent("""{"amount_usd":1e30,"reference":"r"}""", Encoding.UTF8, "application/json")));
        var notJson = await Error(await admin.Http.PostAsync($"/admin/accounts/{account}/credits",
            new StringContent("""{"amount_usd":""", Encoding.UTF8, "application/json")));
        var notANumber = await Error(await admin.Http.GetAsync($"/admin/accounts/{account}/ledger?limit=99999999999"));
        var plainText = await Error(await admin.Http.PostAsync("/admin/accounts", new StringContent("email=a@example.com")));
        var noBody = await Error(await admin.Http.PostAsync($"/admin/accounts/{account}/credits", null));
        var wrongMethod = await Error(await admin.Http.DeleteAsync($"/admin/accounts/{account}"));
        var noSuchEndpoint = await Error(await admin.Http.GetAsync("/api/nothing-here"));

        Assert.Equal((HttpStatusCode.BadRequest, "invalid_request"), (outOfRange.Status, outOfRange.Code));
        Assert.Contains("(at $.amount_usd)", outOfRange.Message);
        Assert.Equal(HttpStatusCode.BadRequest, notJson.Status);
        Assert.Contains("not valid JSON", notJson.Message);
        Assert.Equal((HttpStatusCode.BadRequest, "invalid_request"), (notANumber.Status, notANumber.Code));
        Assert.Contains("parameter", notANumber.Message);
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, plainText.Status);
        Assert.Contains("application/json", plainText.Message);
        Assert.Equal((HttpStatusCode.BadRequest, "This endpoint needs a JSON body."), (noBody.Status, noBody.Message));
        Assert.Equal((HttpStatusCode.MethodNotAllowed, "method_not_allowed"), (wrongMethod.Status, wrongMethod.Code));
        Assert.Equal((HttpStatusCode.NotFound, "not_found"), (noSuchEndpoint.Status, noSuchEndpoint.Code));
        Assert.DoesNotContain(logs.Lines, line => line.StartsWith("Error ", StringComparison.Ordinal) || line.StartsWith("Critical ", StringComparison.Ordinal));
        Assert.Equal(0m, await admin.Balance(account));
    }

    [Fact]
    public async Task A_credit_beyond_the_most_an_account_holds_is_refused_with_its_reason()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await GatewayHost.StartAsync(upstream.BaseUrl);
        using var admin = new AdminClient(gateway.BaseUrl);
        var account = await admin.CreateAccount(credits: 2_000_000_000_000);

        // Once, the sum wrapped around into a negative balance.
        var refused = await Error(await admin.Http.PostAsJsonAsync($"/admin/accounts/{account}/credits", new { amount_usd = 1_000_000_000_000, reference = "more" }));
        var tooLargeAlone = await Error(await admin.Http.PostAsJsonAsync($"/admin/accounts/{account}/credits", new { amount_usd = 9_000_000_000_000, reference = "much-more" }));
        var beyondScaling = await Error(await admin.Http.PostAsync($"/admin/accounts/{account}/credits", // once a 500: the scaling overflowed
            new StringContent("""{"amount_usd":-1e23,"reference":"huge"}""", Encoding.UTF8, "application/json")));

        Assert.Equal((HttpStatusCode.BadRequest, "invalid_amount"), (refused.Status, refused.Code));
        Assert.Contains("the most an account can hold", refused.Message);
        Assert.Equal((HttpStatusCode.BadRequest, "invalid_amount"), (tooLargeAlone.Status, tooLargeAlone.Code));
        Assert.Equal((HttpStatusCode.BadRequest, "invalid_amount"), (beyondScaling.Status, beyondScaling.Code));
        Assert.Contains("between -2305843009213.693951 and 2305843009213.693951", tooLargeAlone.Message);
        Assert.Equal(2_000_000_000_000m, await admin.Balance(account));
        Assert.Single(await admin.Ledger(account));
    }

    private static async Task<(HttpStatusCode Status, string Code, string Message)> Error(HttpResponseMessage response)
    {
        var error = (await response.Content.ReadFromJsonAsync<JsonObject>())!["error"]!;
        return (response.StatusCode, error["code"]!.GetValue<string>(), error["message"]!.GetValue<string>());
    }
}
