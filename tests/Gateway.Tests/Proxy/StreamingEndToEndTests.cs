using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using DosAi.Orleans.Gateway.Metering;
using DosAi.Orleans.Gateway.Tests.Infrastructure;
using OpenAI.Chat;

namespace DosAi.Orleans.Gateway.Tests.Proxy;

[Collection(GatewayCollection.Name)]
public sealed class StreamingEndToEndTests(GatewayFixture fixture)
{
    private static readonly TokenCounter Tokens = new();

    [Fact]
    public async Task Each_chunk_reaches_the_sdk_before_the_upstream_produces_the_next()
    {
        var account = await fixture.Admin.CreateAccount(credits: 1);
        var (_, key) = await fixture.Admin.CreateKey(account);
        var lockstep = Guid.NewGuid().ToString("N");
        var timeoutsBefore = fixture.Upstream.LockstepTimeouts;
        var options = new ChatCompletionOptions();
        var chat = new ChatClient("fake-model", new System.ClientModel.ApiKeyCredential(key), WithHeaders(("x-fake-lockstep", lockstep), ("x-fake-chunks", "6")));

        var text = new StringBuilder();
        ChatTokenUsage? usage = null;
        await foreach (var update in chat.CompleteChatStreamingAsync([new UserChatMessage("stream please")], options))
        {
            foreach (var part in update.ContentUpdate)
            {
                text.Append(part.Text);
                // The upstream waits for this before producing the next chunk: a buffering gateway
                // would hold this chunk back and the upstream would time out.
                fixture.Upstream.Release(lockstep);
            }

            usage ??= update.Usage;
        }

        Assert.Equal(string.Concat(Enumerable.Repeat(FakeUpstream.ChunkText, 6)), text.ToString());
        Assert.Equal(timeoutsBefore, fixture.Upstream.LockstepTimeouts);
        // The .NET SDK asks for usage itself, so it gets the usage chunk.
        Assert.NotNull(usage);
        Assert.Equal((FakeUpstream.PromptTokens, FakeUpstream.CompletionTokens), (usage!.InputTokenCount, usage.OutputTokenCount));
        Assert.Equal(1m - 0.000057m, await fixture.Admin.BalanceOnceItIs(account, 1m - 0.000057m));
    }

    [Fact]
    public async Task Rate_limit_headers_arrive_before_the_body()
    {
        var account = await fixture.Admin.CreateAccount(credits: 1);
        var (_, key) = await fixture.Admin.CreateKey(account);
        var lockstep = Guid.NewGuid().ToString("N");
        using var http = fixture.Http();
        using var request = Requests.Chat(key, """{"model":"m","stream":true,"messages":[{"role":"user","content":"hi"}]}""");
        request.Headers.Add("x-fake-lockstep", lockstep);
        request.Headers.Add("x-fake-chunks", "2");

        // Headers are available while the upstream is still waiting to produce its second chunk.
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);

        Assert.Equal("text/event-stream", response.Content.Headers.ContentType!.MediaType);
        Assert.Equal("59", response.Headers.GetValues("x-ratelimit-remaining-requests").Single());
        Assert.True(response.Headers.Contains("x-ratelimit-reset-tokens"));
        fixture.Upstream.Release(lockstep);
        fixture.Upstream.Release(lockstep);
        var body = await response.Content.ReadAsStringAsync();
        Assert.EndsWith("data: [DONE]\n\n", body, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task The_usage_chunk_reaches_the_client_only_when_it_asked_for_it(bool clientAsks)
    {
        var account = await fixture.Admin.CreateAccount(credits: 1);
        var (_, key) = await fixture.Admin.CreateKey(account);
        using var http = fixture.Http();
        var options = clientAsks ? ""","stream_options":{"include_usage":true}""" : "";
        using var request = Requests.Chat(key, $$"""{"model":"m","stream":true{{options}},"messages":[{"role":"user","content":"hi"}]}""");
        var before = fixture.Upstream.Requests.Count;

        using var response = await http.SendAsync(request);
        var events = (await response.Content.ReadAsStringAsync()).Split("\n\n", StringSplitOptions.RemoveEmptyEntries);

        var upstreamBody = JsonNode.Parse(fixture.Upstream.Requests.Skip(before).Single().Body)!;
        Assert.True(upstreamBody["stream_options"]!["include_usage"]!.GetValue<bool>());
        Assert.Equal("data: [DONE]", events[^1]);
        var usageEvents = events.Count(e => e.Contains("\"usage\"", StringComparison.Ordinal));
        Assert.Equal(clientAsks ? 1 : 0, usageEvents);
        Assert.Equal(5 + (clientAsks ? 1 : 0) + 1, events.Length);
        // Charged from the usage chunk either way.
        Assert.Equal(1m - 0.000057m, await fixture.Admin.BalanceOnceItIs(account, 1m - 0.000057m));
    }

    [Fact]
    public async Task A_stream_request_with_a_repeated_property_is_served_and_charged()
    {
        var account = await fixture.Admin.CreateAccount(credits: 1);
        var (_, key) = await fixture.Admin.CreateKey(account);
        using var http = fixture.Http();
        // JSON allows a name twice; a mutable DOM refuses it (this answered 500 once the request was admitted).
        using var request = Requests.Chat(key, """{"model":"m","stream":true,"stream":true,"messages":[{"role":"user","content":"hi"}]}""");

        using var response = await http.SendAsync(request);
        var events = await response.Content.ReadAsStringAsync();

        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        Assert.Contains(FakeUpstream.ChunkText, events, StringComparison.Ordinal);
        Assert.DoesNotContain("\"usage\"", events, StringComparison.Ordinal);
        var expected = 1m - (long)Math.Ceiling(FakeUpstream.PromptTokens * 0.5m + FakeUpstream.CompletionTokens * 1.5m) / 1_000_000m;
        Assert.Equal(expected, await fixture.Admin.BalanceOnceItIs(account, expected));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public async Task A_client_that_aborts_after_n_chunks_pays_prompt_plus_those_chunks(int chunksRead)
    {
        var account = await fixture.Admin.CreateAccount(credits: 1);
        var (_, key) = await fixture.Admin.CreateKey(account);
        var lockstep = Guid.NewGuid().ToString("N");
        using var http = fixture.Http();
        using var request = Requests.Chat(key, """{"model":"m","stream":true,"messages":[{"role":"user","content":"Tell me a long story about gateways."}]}""");
        request.Headers.Add("x-fake-lockstep", lockstep);
        request.Headers.Add("x-fake-chunks", "10");
        var before = fixture.Upstream.Requests.Count;

        using (var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead))
        {
            using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
            for (var read = 0; read < chunksRead;)
            {
                var line = await reader.ReadLineAsync();
                if (line?.StartsWith("data: {", StringComparison.Ordinal) == true && ++read < chunksRead)
                {
                    fixture.Upstream.Release(lockstep);
                }
            }
        } // disconnect while the upstream waits to produce chunk n + 1

        var sent = fixture.Upstream.Requests.Skip(before).Single().Body;
        var prompt = InferenceRequest.Inspect(JsonDocument.Parse(sent).RootElement, "/v1/chat/completions", Tokens, 1024).PromptTokens;
        var completion = Tokens.Count(string.Concat(Enumerable.Repeat(FakeUpstream.ChunkText, chunksRead)));
        var cost = (long)Math.Ceiling(prompt * 0.5m + completion * 1.5m);
        var expected = 1m - cost / 1_000_000m;
        Assert.Equal(expected, await fixture.Admin.BalanceOnceItIs(account, expected));
        var charge = (await fixture.Admin.Ledger(account)).Single(e => e!["type"]!.GetValue<string>() == "charge")!;
        Assert.Equal((prompt, (long)completion), (charge["prompt_tokens"]!.GetValue<long>(), charge["completion_tokens"]!.GetValue<long>()));
    }

    [Fact]
    public async Task A_client_that_leaves_after_the_stream_began_but_before_any_text_pays_its_prompt()
    {
        var account = await fixture.Admin.CreateAccount(credits: 1);
        var (_, key) = await fixture.Admin.CreateKey(account);
        var lockstep = Guid.NewGuid().ToString("N");
        using var request = Requests.Chat(key, """{"model":"m","stream":true,"messages":[{"role":"user","content":"A long prompt the upstream has read."}]}""");
        request.Headers.Add("x-fake-lockstep", lockstep);
        request.Headers.Add("x-fake-role-chunk", "1");
        var before = fixture.Upstream.Requests.Count;
        // Leave at once: by default the client would first wait up to 2 s for the rest of the body.
        using var leaving = new HttpClient(new SocketsHttpHandler { MaxResponseDrainSize = 0 }) { BaseAddress = new Uri(fixture.Gateway.BaseUrl) };

        using (var response = await leaving.SendAsync(request, HttpCompletionOption.ResponseHeadersRead))
        {
            using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
            while ((await reader.ReadLineAsync())?.Contains("\"role\":\"assistant\"", StringComparison.Ordinal) != true)
            {
            }
        } // disconnect while the upstream waits to produce its first text

        var sent = fixture.Upstream.Requests.Skip(before).Single().Body;
        var prompt = InferenceRequest.Inspect(JsonDocument.Parse(sent).RootElement, "/v1/chat/completions", Tokens, 1024).PromptTokens;
        var expected = 1m - (long)Math.Ceiling(prompt * 0.5m) / 1_000_000m;
        // Once, a stream left before its first text was free however long its prompt.
        Assert.Equal(expected, await fixture.Admin.BalanceOnceItIs(account, expected));
    }

    [Fact]
    public async Task An_upstream_error_before_any_output_is_not_charged()
    {
        var account = await fixture.Admin.CreateAccount(credits: 1);
        var (_, key) = await fixture.Admin.CreateKey(account);
        using var http = fixture.Http();
        using var request = Requests.Chat(key, """{"model":"m","stream":true,"messages":[{"role":"user","content":"hi"}]}""");
        request.Headers.Add("x-fake-status", "503");

        using var response = await http.SendAsync(request);

        Assert.Equal(503, (int)response.StatusCode);
        await Task.Delay(300);
        Assert.Equal(1m, await fixture.Admin.Balance(account));
        Assert.Single(await fixture.Admin.Ledger(account));
    }

    [Fact]
    public async Task Embeddings_and_models_are_metered()
    {
        var account = await fixture.Admin.CreateAccount(credits: 1);
        var (_, key) = await fixture.Admin.CreateKey(account);
        var embeddings = new OpenAI.Embeddings.EmbeddingClient("fake-embedding", new System.ClientModel.ApiKeyCredential(key), Sdk.Options(fixture.Gateway.BaseUrl));

        await embeddings.GenerateEmbeddingAsync("The quick brown fox");
        using var http = fixture.Http();
        using var models = new HttpRequestMessage(HttpMethod.Get, "/v1/models");
        models.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        (await http.SendAsync(models)).EnsureSuccessStatusCode();

        Assert.Equal(1m - 0.000004m, await fixture.Admin.BalanceOnceItIs(account, 1m - 0.000004m)); // 8 prompt tokens × $0.50/M
        var charge = (await fixture.Admin.Ledger(account)).Single(e => e!["type"]!.GetValue<string>() == "charge")!;
        Assert.Equal((8, 0), (charge["prompt_tokens"]!.GetValue<int>(), charge["completion_tokens"]!.GetValue<int>()));
    }

    [Fact]
    public async Task A_batch_of_embeddings_far_larger_than_any_buffer_is_charged_its_usage()
    {
        var account = await fixture.Admin.CreateAccount(credits: 1);
        var (_, key) = await fixture.Admin.CreateKey(account);
        var embeddings = new OpenAI.Embeddings.EmbeddingClient("fake-embedding", new System.ClientModel.ApiKeyCredential(key), Sdk.Options(fixture.Gateway.BaseUrl));
        var inputs = Enumerable.Repeat("The quick brown fox", 2048).ToList();

        // 2,048 embeddings of 4,096 dimensions: about 45 MB of JSON, the usage at its end.
        var result = await embeddings.GenerateEmbeddingsAsync(inputs, new OpenAI.Embeddings.EmbeddingGenerationOptions { Dimensions = 4096 });

        Assert.Equal(2048, result.Value.Count);
        Assert.Equal(4096, result.Value[^1].ToFloats().Length);
        Assert.Equal(1m - 0.008192m, await fixture.Admin.BalanceOnceItIs(account, 1m - 0.008192m)); // 16,384 prompt tokens × $0.50/M
        var charge = (await fixture.Admin.Ledger(account)).Single(e => e!["type"]!.GetValue<string>() == "charge")!;
        Assert.Equal((16_384, 0), (charge["prompt_tokens"]!.GetValue<int>(), charge["completion_tokens"]!.GetValue<int>()));
    }

    private OpenAI.OpenAIClientOptions WithHeaders(params (string Name, string Value)[] headers)
    {
        var options = Sdk.Options(fixture.Gateway.BaseUrl);
        options.AddPolicy(new HeaderPolicy(headers), System.ClientModel.Primitives.PipelinePosition.PerCall);
        return options;
    }

    private sealed class HeaderPolicy((string Name, string Value)[] headers) : System.ClientModel.Primitives.PipelinePolicy
    {
        public override void Process(System.ClientModel.Primitives.PipelineMessage message, IReadOnlyList<System.ClientModel.Primitives.PipelinePolicy> pipeline, int currentIndex)
        {
            Add(message);
            ProcessNext(message, pipeline, currentIndex);
        }

        public override ValueTask ProcessAsync(System.ClientModel.Primitives.PipelineMessage message, IReadOnlyList<System.ClientModel.Primitives.PipelinePolicy> pipeline, int currentIndex)
        {
            Add(message);
            return ProcessNextAsync(message, pipeline, currentIndex);
        }

        private void Add(System.ClientModel.Primitives.PipelineMessage message)
        {
            foreach (var (name, value) in headers)
            {
                message.Request.Headers.Set(name, value);
            }
        }
    }
}
