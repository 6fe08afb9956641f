using System.ClientModel;
using System.ClientModel.Primitives;
using System.Text;
using DosAi.Orleans.Gateway.Tests.Infrastructure;
using OpenAI.Chat;
using OpenAI.Responses;

#pragma warning disable OPENAI001 // the SDK marks its Responses client experimental

namespace DosAi.Orleans.Gateway.Tests.Proxy;

/// <summary>The Responses API through the official SDK: metered like chat, usage from its own field names and events.</summary>
[Collection(GatewayCollection.Name)]
public sealed class ResponsesApiEndToEndTests(GatewayFixture fixture)
{
    // 12 input tokens at 0.50 and 34 output tokens at 1.50 USD per million: 57 micro-USD.
    private const decimal Cost = 0.000057m;

    private ResponsesClient Client(string key) => new(new ApiKeyCredential(key), new ResponsesClientOptions
    {
        Endpoint = new Uri(fixture.Gateway.BaseUrl + "/v1"),
        RetryPolicy = new ClientRetryPolicy(maxRetries: 0),
    });

    [Fact]
    public async Task A_response_is_charged_for_its_input_and_output_tokens()
    {
        var account = await fixture.Admin.CreateAccount(credits: 1);
        var (_, key) = await fixture.Admin.CreateKey(account);

        ResponseResult response = await Client(key).CreateResponseAsync("fake-model", "Say hello");

        Assert.Equal(string.Concat(Enumerable.Repeat(FakeUpstream.ChunkText, 5)), response.GetOutputText());
        Assert.Equal((FakeUpstream.PromptTokens, FakeUpstream.CompletionTokens), (response.Usage.InputTokenCount, response.Usage.OutputTokenCount));
        Assert.Equal(1m - Cost, await fixture.Admin.BalanceOnceItIs(account, 1m - Cost));
    }

    [Fact]
    public async Task A_streamed_response_is_charged_from_its_completed_event()
    {
        var account = await fixture.Admin.CreateAccount(credits: 1);
        var (_, key) = await fixture.Admin.CreateKey(account);

        var text = new StringBuilder();
        ResponseTokenUsage? usage = null;
        await foreach (var update in await Client(key).CreateResponseStreamingAsync("fake-model", "Stream a hello"))
        {
            if (update is StreamingResponseOutputTextDeltaUpdate delta)
            {
                text.Append(delta.Delta);
            }
            else if (update is StreamingResponseCompletedUpdate completed)
            {
                usage = completed.Response.Usage;
            }
        }

        Assert.Equal(string.Concat(Enumerable.Repeat(FakeUpstream.ChunkText, 5)), text.ToString());
        Assert.Equal(FakeUpstream.CompletionTokens, usage!.OutputTokenCount);
        // Once, a streamed response was free: its usage sits inside the final event's response object.
        Assert.Equal(1m - Cost, await fixture.Admin.BalanceOnceItIs(account, 1m - Cost));
    }

    [Fact]
    public async Task Reading_a_stored_response_again_charges_nothing()
    {
        var account = await fixture.Admin.CreateAccount(credits: 1);
        var (_, key) = await fixture.Admin.CreateKey(account);
        var client = Client(key);
        ResponseResult created = await client.CreateResponseAsync("fake-model", "Say hello");

        ResponseResult read = await client.GetResponseAsync(created.Id);
        ResponseResult readAgain = await client.GetResponseAsync(created.Id);
        // One more charged request: once its charge is in, so would the reads' have been.
        await fixture.Chat(key).CompleteChatAsync([new UserChatMessage("and one chat")]);

        // Each read carries the usage again, as OpenAI's do.
        Assert.Equal((FakeUpstream.CompletionTokens, FakeUpstream.CompletionTokens), (read.Usage.OutputTokenCount, readAgain.Usage.OutputTokenCount));
        Assert.Equal(1m - 2 * Cost, await fixture.Admin.BalanceOnceItIs(account, 1m - 2 * Cost));
        Assert.Equal(2, (await fixture.Admin.Ledger(account)).Count(entry => entry!["type"]!.GetValue<string>() == "charge"));
    }

    [Fact]
    public async Task A_background_response_is_refused_before_it_reaches_the_upstream()
    {
        var account = await fixture.Admin.CreateAccount(credits: 1);
        var (_, key) = await fixture.Admin.CreateKey(account);
        var forwardedBefore = fixture.Upstream.Requests.Count;
        var options = new CreateResponseOptions { Model = "fake-model", BackgroundModeEnabled = true };
        options.InputItems.Add(ResponseItem.CreateUserMessageItem("Take your time"));

        var refused = await Assert.ThrowsAsync<ClientResultException>(() => Client(key).CreateResponseAsync(options));

        Assert.Equal(400, refused.Status);
        Assert.Contains("unsupported_parameter", refused.GetRawResponse()!.Content.ToString());
        Assert.Equal(forwardedBefore, fixture.Upstream.Requests.Count);
    }
}
