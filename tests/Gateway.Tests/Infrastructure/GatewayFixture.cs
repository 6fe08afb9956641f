using System.ClientModel;
using System.ClientModel.Primitives;
using Microsoft.Extensions.Time.Testing;
using OpenAI;
using OpenAI.Chat;

namespace DosAi.Orleans.Gateway.Tests.Infrastructure;

/// <summary>One fake upstream and one gateway shared by a test collection; the grain clock is fake.</summary>
public sealed class GatewayFixture : IAsyncLifetime
{
    public FakeTimeProvider Clock { get; } = new(DateTimeOffset.UtcNow);

    public FakeUpstream Upstream { get; private set; } = null!;

    public GatewayHost Gateway { get; private set; } = null!;

    public AdminClient Admin { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Upstream = await FakeUpstream.StartAsync();
        Gateway = await GatewayHost.StartAsync(Upstream.BaseUrl, Clock);
        Admin = new AdminClient(Gateway.BaseUrl);
    }

    public ChatClient Chat(string key, string model = "fake-model") => Sdk.Chat(Gateway.BaseUrl, key, model);

    public HttpClient Http() => new() { BaseAddress = new Uri(Gateway.BaseUrl) };

    public async Task DisposeAsync()
    {
        Admin.Dispose();
        await Gateway.DisposeAsync();
        await Upstream.DisposeAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class GatewayCollection : ICollectionFixture<GatewayFixture>
{
    public const string Name = "gateway";
}

public static class Sdk
{
    /// <summary>The official OpenAI .NET SDK pointed at the gateway, with its automatic retries off.</summary>
    public static ChatClient Chat(string gatewayUrl, string key, string model = "fake-model") =>
        new(model, new ApiKeyCredential(key), Options(gatewayUrl));

    public static OpenAIClientOptions Options(string gatewayUrl) => new()
    {
        Endpoint = new Uri(gatewayUrl.TrimEnd('/') + "/v1"),
        RetryPolicy = new ClientRetryPolicy(maxRetries: 0),
    };
}
