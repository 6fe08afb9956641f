using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace DosAi.Orleans.Cluster.Tests.Infrastructure;

/// <summary>A minimal OpenAI-compatible chat endpoint on real Kestrel that reports fixed usage.</summary>
public sealed class FakeUpstream : IAsyncDisposable
{
    public const int PromptTokens = 12;
    public const int CompletionTokens = 34;

    private readonly WebApplication app;

    private FakeUpstream(WebApplication app) => this.app = app;

    public string BaseUrl => app.Urls.First();

    public static async Task<FakeUpstream> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        app.MapPost("/v1/chat/completions", () => Results.Json(new
        {
            id = "chatcmpl-fake",
            @object = "chat.completion",
            created = 1_700_000_000,
            model = "fake-model",
            choices = new[] { new { index = 0, message = new { role = "assistant", content = "Hello." }, finish_reason = "stop" } },
            usage = new { prompt_tokens = PromptTokens, completion_tokens = CompletionTokens, total_tokens = PromptTokens + CompletionTokens },
        }));
        await app.StartAsync();
        return new FakeUpstream(app);
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }
}
