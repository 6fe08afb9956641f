using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace DosAi.Orleans.Gateway.Tests.Infrastructure;

/// <summary>
/// A small OpenAI-compatible model server on real Kestrel. Tests steer it per request with headers the
/// gateway passes through: <c>x-fake-delay-ms</c> (before answering), <c>x-fake-chunks</c> and
/// <c>x-fake-chunk-delay-ms</c> (streams), <c>x-fake-role-chunk</c> (a text-less first chunk), <c>x-fake-status</c>
/// (an error of that status, with the code <c>x-fake-error-code</c> if given),
/// <c>x-fake-no-usage</c> (a chat completion whose <c>usage</c> is null, as some model servers answer),
/// <c>x-fake-header-NAME: value</c> (answered as the response header NAME), and <c>x-fake-lockstep: id</c>: after
/// each chunk the stream waits until the test calls <see cref="Release"/> for that id, so a test can
/// prove every chunk reached the client before the next was produced.
/// </summary>
public sealed class FakeUpstream : IAsyncDisposable
{
    public const int PromptTokens = 12;
    public const int CompletionTokens = 34;
    public const string ChunkText = "Hello world ";
    public const string CompletionContent = "Hello from the fake upstream.";
    public const string ResponseHeaderPrefix = "x-fake-header-";

    private readonly WebApplication app;

    private FakeUpstream(WebApplication app) => this.app = app;

    public string BaseUrl => app.Urls.First();

    public ConcurrentQueue<RecordedRequest> Requests { get; } = new();

    private readonly ConcurrentDictionary<string, SemaphoreSlim> lockstep = new();

    /// <summary>Lock-stepped chunks whose release never came within 10 s (i.e. the client never saw them).</summary>
    public int LockstepTimeouts => lockstepTimeouts;

    private int lockstepTimeouts;

    public void Release(string lockstepId) => Gate(lockstepId).Release();

    private SemaphoreSlim Gate(string id) => lockstep.GetOrAdd(id, _ => new SemaphoreSlim(0));

    public static async Task<FakeUpstream> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var upstream = new FakeUpstream(app);
        app.Map("/v1/{**path}", upstream.Handle);
        await app.StartAsync();
        return upstream;
    }

    private async Task Handle(HttpContext context)
    {
        using var reader = new StreamReader(context.Request.Body, Encoding.UTF8);
        var body = await reader.ReadToEndAsync();
        Requests.Enqueue(new RecordedRequest(
            context.Request.Method,
            context.Request.Path + context.Request.QueryString,
            context.Request.Headers.Authorization.ToString(),
            context.Request.Headers.Cookie.ToString(),
            context.Request.Headers.AcceptEncoding.ToString(),
            body,
            context.Request.Headers.ToDictionary(header => header.Key, header => header.Value.ToString(), StringComparer.OrdinalIgnoreCase)));

        if (int.TryParse(context.Request.Headers["x-fake-delay-ms"], out var delay))
        {
            await Task.Delay(delay, context.RequestAborted);
        }

        foreach (var (name, value) in context.Request.Headers.Where(header => header.Key.StartsWith(ResponseHeaderPrefix, StringComparison.OrdinalIgnoreCase)))
        {
            context.Response.Headers[name[ResponseHeaderPrefix.Length..]] = value;
        }

        if (int.TryParse(context.Request.Headers["x-fake-status"], out var status))
        {
            context.Response.StatusCode = status;
            var code = context.Request.Headers["x-fake-error-code"].ToString();
            await context.Response.WriteAsJsonAsync(new { error = new { message = "upstream says no", type = "invalid_request_error", code = code.Length > 0 ? code : null } });
            return;
        }

        var path = context.Request.Path.Value!;
        if (path.EndsWith("/models", StringComparison.Ordinal))
        {
            await context.Response.WriteAsJsonAsync(new { @object = "list", data = new[] { new { id = "fake-model", @object = "model", owned_by = "dosai" } } });
            return;
        }

        var request = body.Length > 0 ? ParseLastWins(body) : null;
        if (path.Contains("/responses", StringComparison.Ordinal))
        {
            await Responses(context, request);
            return;
        }

        if (path.EndsWith("/embeddings", StringComparison.Ordinal))
        {
            await Embeddings(context, request);
            return;
        }

        if (request?["stream"]?.GetValue<bool>() == true)
        {
            await Stream(context, request);
            return;
        }

        await context.Response.WriteAsJsonAsync(new
        {
            id = "chatcmpl-fake",
            @object = "chat.completion",
            created = 1_700_000_000,
            model = request?["model"]?.GetValue<string>() ?? "fake-model",
            choices = new[] { new { index = 0, message = new { role = "assistant", content = CompletionContent }, finish_reason = "stop" } },
            usage = context.Request.Headers.ContainsKey("x-fake-no-usage")
                ? null
                : new { prompt_tokens = PromptTokens, completion_tokens = CompletionTokens, total_tokens = PromptTokens + CompletionTokens },
        });
    }

    private async Task Stream(HttpContext context, JsonNode request)
    {
        var chunks = int.TryParse(context.Request.Headers["x-fake-chunks"], out var n) ? n : 5;
        var chunkDelay = int.TryParse(context.Request.Headers["x-fake-chunk-delay-ms"], out var d) ? d : 0;
        var includeUsage = request["stream_options"]?["include_usage"]?.GetValue<bool>() == true;
        var model = request["model"]?.GetValue<string>() ?? "fake-model";
        context.Response.ContentType = "text/event-stream";
        await context.Response.StartAsync();
        if (context.Request.Headers.ContainsKey("x-fake-role-chunk"))
        {
            // OpenAI's first chunk: the role, no text yet; lock-stepped like the others.
            await WriteEvent(context, """{"id":"chatcmpl-fake","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"role":"assistant","content":""}}]}""");
            if (context.Request.Headers["x-fake-lockstep"].ToString() is { Length: > 0 } first)
            {
                await Gate(first).WaitAsync(TimeSpan.FromSeconds(10), context.RequestAborted);
            }
        }

        for (var i = 0; i < chunks; i++)
        {
            var chunk = new
            {
                id = "chatcmpl-fake",
                @object = "chat.completion.chunk",
                created = 1_700_000_000,
                model,
                choices = new[] { new { index = 0, delta = new { content = ChunkText }, finish_reason = (string?)null } },
            };
            await WriteEvent(context, JsonSerializer.Serialize(chunk));
            if (context.Request.Headers["x-fake-lockstep"].ToString() is { Length: > 0 } id
                && !await Gate(id).WaitAsync(TimeSpan.FromSeconds(10), context.RequestAborted))
            {
                Interlocked.Increment(ref lockstepTimeouts);
            }

            if (chunkDelay > 0)
            {
                await Task.Delay(chunkDelay, context.RequestAborted);
            }
        }

        if (includeUsage)
        {
            var usage = new
            {
                id = "chatcmpl-fake",
                @object = "chat.completion.chunk",
                created = 1_700_000_000,
                model,
                choices = Array.Empty<object>(),
                usage = new { prompt_tokens = PromptTokens, completion_tokens = CompletionTokens, total_tokens = PromptTokens + CompletionTokens },
            };
            await WriteEvent(context, JsonSerializer.Serialize(usage));
        }

        await WriteEvent(context, "[DONE]");
    }

    /// <summary>A JSON body whose repeated top-level properties count once, the last one winning, as most servers read them.</summary>
    private static JsonNode? ParseLastWins(string body)
    {
        using var document = JsonDocument.Parse(body);
        if (document.RootElement.ValueKind != JsonValueKind.Object)
        {
            return JsonNode.Parse(body);
        }

        var root = new JsonObject();
        foreach (var property in document.RootElement.EnumerateObject())
        {
            root[property.Name] = JsonNode.Parse(property.Value.GetRawText());
        }

        return root;
    }

    /// <summary>
    /// One embedding per input of <c>dimensions</c> values (2 when not given), as floats or, when asked, base64
    /// as the official SDKs ask; usage counts 8 prompt tokens per input and comes last, as OpenAI's does.
    /// </summary>
    private static async Task Embeddings(HttpContext context, JsonNode? request)
    {
        var inputs = request?["input"] is JsonArray array ? array.Count : 1;
        var dimensions = request?["dimensions"]?.GetValue<int>() ?? 2;
        var base64 = request?["encoding_format"]?.GetValue<string>() == "base64";
        var values = Enumerable.Range(0, dimensions).Select(i => i / (float)dimensions).ToArray();
        var embedding = base64 ? JsonSerializer.Serialize(Convert.ToBase64String(MemoryMarshal.AsBytes(values.AsSpan()))) : JsonSerializer.Serialize(values);
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync("""{"object":"list","data":[""");
        for (var index = 0; index < inputs; index++)
        {
            await context.Response.WriteAsync($$"""{{(index > 0 ? "," : "")}}{"object":"embedding","index":{{index}},"embedding":{{embedding}}}""");
        }

        var tokens = 8 * inputs;
        await context.Response.WriteAsync("],\"model\":\"fake-embedding\",\"usage\":{\"prompt_tokens\":" + tokens + ",\"total_tokens\":" + tokens + "}}");
    }

    /// <summary>
    /// The Responses API: <c>POST /v1/responses</c> answers (or streams) a response of <see cref="ChunkText"/>
    /// five times; <c>GET /v1/responses/{id}</c> returns the stored response, usage included, as OpenAI does.
    /// </summary>
    private static async Task Responses(HttpContext context, JsonNode? request)
    {
        var model = request?["model"]?.GetValue<string>() ?? "fake-model";
        var text = string.Concat(Enumerable.Repeat(ChunkText, 5));
        if (request?["stream"]?.GetValue<bool>() != true)
        {
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync(ResponseObject(model, "completed", text).ToJsonString());
            return;
        }

        context.Response.ContentType = "text/event-stream";
        await context.Response.StartAsync();
        var sequence = 0;
        await WriteTypedEvent(context, new JsonObject { ["type"] = "response.created", ["sequence_number"] = sequence++, ["response"] = ResponseObject(model, "in_progress", null) });
        for (var i = 0; i < 5; i++)
        {
            await WriteTypedEvent(context, new JsonObject
            {
                ["type"] = "response.output_text.delta", ["sequence_number"] = sequence++, ["item_id"] = "msg_fake",
                ["output_index"] = 0, ["content_index"] = 0, ["delta"] = ChunkText, ["logprobs"] = new JsonArray(),
            });
        }

        await WriteTypedEvent(context, new JsonObject { ["type"] = "response.completed", ["sequence_number"] = sequence, ["response"] = ResponseObject(model, "completed", text) });
    }

    private static JsonObject ResponseObject(string model, string status, string? text) => new()
    {
        ["id"] = "resp_fake",
        ["object"] = "response",
        ["created_at"] = 1_700_000_000,
        ["status"] = status,
        ["model"] = model,
        ["output"] = text is null ? new JsonArray() : new JsonArray(new JsonObject
        {
            ["type"] = "message", ["id"] = "msg_fake", ["status"] = "completed", ["role"] = "assistant",
            ["content"] = new JsonArray(new JsonObject { ["type"] = "output_text", ["text"] = text, ["annotations"] = new JsonArray() }),
        }),
        ["parallel_tool_calls"] = true,
        ["tool_choice"] = "auto",
        ["tools"] = new JsonArray(),
        ["usage"] = text is null ? null : new JsonObject
        {
            ["input_tokens"] = PromptTokens, ["input_tokens_details"] = new JsonObject { ["cached_tokens"] = 0 },
            ["output_tokens"] = CompletionTokens, ["output_tokens_details"] = new JsonObject { ["reasoning_tokens"] = 0 },
            ["total_tokens"] = PromptTokens + CompletionTokens,
        },
    };

    private static async Task WriteTypedEvent(HttpContext context, JsonObject data)
    {
        await context.Response.WriteAsync($"event: {data["type"]}\ndata: {data.ToJsonString()}\n\n", context.RequestAborted);
        await context.Response.Body.FlushAsync(context.RequestAborted);
    }

    private static async Task WriteEvent(HttpContext context, string data)
    {
        await context.Response.WriteAsync($"data: {data}\n\n", context.RequestAborted);
        await context.Response.Body.FlushAsync(context.RequestAborted);
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }
}

public sealed record RecordedRequest(string Method, string PathAndQuery, string Authorization, string Cookie, string AcceptEncoding, string Body, IReadOnlyDictionary<string, string> Headers);
