using DosAi.Orleans.Gateway.Hosting;
using DosAi.Orleans.Grains;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace DosAi.Orleans.Gateway.Tests.Infrastructure;

/// <summary>The real gateway (embedded mode: co-hosted silo, SQLite) on real Kestrel on a free port.</summary>
public sealed class GatewayHost : IAsyncDisposable
{
    public const string AdminToken = "test-admin-token";

    private readonly WebApplication app;

    private GatewayHost(WebApplication app, string dataDirectory)
    {
        this.app = app;
        DataDirectory = dataDirectory;
        BaseUrl = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
    }

    public string BaseUrl { get; }

    public string DataDirectory { get; }

    public IServiceProvider Services => app.Services;

    public static async Task<GatewayHost> StartAsync(
        string upstreamUrl,
        FakeTimeProvider? clock = null,
        string? dataDirectory = null,
        IDictionary<string, string?>? settings = null,
        ILoggerProvider? logs = null)
    {
        dataDirectory ??= Directory.CreateTempSubdirectory("dosai-gateway-").FullName;
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory });
        var configuration = new Dictionary<string, string?>
        {
            [WebHostDefaults.ServerUrlsKey] = "http://127.0.0.1:0",
            ["Upstream:BaseUrl"] = upstreamUrl,
            ["Upstream:ApiKey"] = "upstream-secret",
            ["Upstream:Timeout"] = "00:00:30",
            ["Admin:Token"] = AdminToken,
            ["Embedded:DataDirectory"] = dataDirectory,
            ["Persistence:WriteBehindInterval"] = "00:00:00.250",
            ["Persistence:LedgerWriteInterval"] = "00:00:00.250",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            configuration[key] = value;
        }

        builder.Configuration.AddInMemoryCollection(configuration);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        if (logs is not null)
        {
            builder.Logging.SetMinimumLevel(LogLevel.Trace);
            builder.Logging.AddProvider(logs);
        }
        if (clock is not null)
        {
            builder.Services.AddKeyedSingleton<TimeProvider>(GrainClock.Key, clock);
        }

        builder.AddDosAiGateway();
        var app = builder.Build();
        app.MapDosAiGateway();
        await app.StartAsync();
        return new GatewayHost(app, dataDirectory);
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }
}
