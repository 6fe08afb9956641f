using System.Security.Cryptography;
using System.Text;
using DosAi.Orleans.Grains.Hosting;
using DosAi.Orleans.Grains.Interfaces;
using DosAi.Orleans.Grains.Interfaces.ApiKeys;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;
using Orleans.Configuration;

namespace DosAi.Orleans.Cluster.Tests.Infrastructure;

/// <summary>
/// PostgreSQL, a fake upstream, and silo and gateway processes on loopback: the deployment the README
/// describes, started the way an operator would (environment variables), one database per instance.
/// </summary>
public sealed class LocalCluster : IAsyncDisposable
{
    public const string AdminToken = "cluster-admin-token";

    /// <summary>Plans every node knows: one tight enough to saturate, one that never limits.</summary>
    public const string TightPlan = "Tight";
    public const int TightRequestsPerMinute = 30;
    public const string RoomyPlan = "Roomy";

    private static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(3);

    private readonly List<NodeProcess> nodes = [];
    private IHost? orleansClient;

    private LocalCluster(PostgresServer postgres, FakeUpstream upstream, string connectionString)
    {
        Postgres = postgres;
        Upstream = upstream;
        ConnectionString = connectionString;
    }

    public PostgresServer Postgres { get; }

    public FakeUpstream Upstream { get; }

    public string ConnectionString { get; }

    public List<(NodeProcess Process, int SiloPort)> Silos { get; } = [];

    public List<GatewayClient> Gateways { get; } = [];

    public string Tails => string.Join('\n', nodes.Select(node => node.Tail));

    public static async Task<LocalCluster> CreateAsync()
    {
        var postgres = await PostgresServer.StartAsync();
        var upstream = await FakeUpstream.StartAsync();
        return new LocalCluster(postgres, upstream, await postgres.CreateDatabaseAsync());
    }

    /// <summary>Starts dedicated silos and client gateways, silos first, and waits until all serve.</summary>
    public async Task StartAsync(int silos, int gateways)
    {
        for (var i = 0; i < silos; i++)
        {
            StartSilo();
        }

        await WaitForActiveSilos(silos);
        for (var i = 0; i < gateways; i++)
        {
            StartGateway(NodeMode.Client);
        }

        await WaitUntilReady();
    }

    public void StartSilo()
    {
        var siloPort = LoopbackPorts.Free();
        var name = $"silo-{Silos.Count + 1}";
        var process = NodeProcess.Start(name, "Silo", Environment(new()
        {
            ["Cluster__SiloPort"] = siloPort.ToString(),
            ["Cluster__GatewayPort"] = LoopbackPorts.Free().ToString(),
        }));
        nodes.Add(process);
        Silos.Add((process, siloPort));
    }

    /// <summary>A gateway as an Orleans client, or co-hosting a silo of its own.</summary>
    public void StartGateway(NodeMode mode)
    {
        var port = LoopbackPorts.Free();
        var settings = new Dictionary<string, string> { ["Cluster__Mode"] = mode.ToString() };
        if (mode == NodeMode.Cohosted)
        {
            settings["Cluster__SiloPort"] = LoopbackPorts.Free().ToString();
            settings["Cluster__GatewayPort"] = LoopbackPorts.Free().ToString();
        }

        var process = NodeProcess.Start($"gateway-{Gateways.Count + 1}", "Gateway", Environment(settings), "--urls", $"http://127.0.0.1:{port}");
        nodes.Add(process);
        Gateways.Add(new GatewayClient($"http://127.0.0.1:{port}", AdminToken));
    }

    public async Task WaitForActiveSilos(int count)
    {
        await Until(async () => await ActiveSilos() >= count, $"{count} active silos");
    }

    public async Task<long> ActiveSilos()
    {
        try
        {
            await using var connection = new NpgsqlConnection(ConnectionString);
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand("SELECT COUNT(*) FROM orleansmembershiptable WHERE status = 3", connection);
            return (long)(await command.ExecuteScalarAsync())!;
        }
        catch (PostgresException exception) when (exception.SqlState == PostgresErrorCodes.UndefinedTable)
        {
            return 0;
        }
    }

    /// <summary>Every gateway answers <c>/readyz</c> (a grain call and a storage check).</summary>
    public async Task WaitUntilReady()
    {
        foreach (var gateway in Gateways)
        {
            await Until(gateway.IsReady, $"{gateway.BaseUrl} ready");
        }
    }

    /// <summary>The silo process that hosts a key's grain right now, asked through an Orleans client.</summary>
    public async Task<int> SiloHostingKey(string rawKey)
    {
        orleansClient ??= await StartOrleansClient();
        var grains = orleansClient.Services.GetRequiredService<IGrainFactory>();
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.ASCII.GetBytes(rawKey)));
        var address = await grains.GetGrain<IManagementGrain>(0).GetActivationAddress(grains.GetGrain<IApiKeyGrain>(GrainKeys.ForKeyHash(hash)));
        Assert.NotNull(address);
        return Silos.FindIndex(silo => silo.SiloPort == address.Endpoint.Port);
    }

    public async Task Until(Func<Task<bool>> condition, string what)
    {
        var deadline = DateTime.UtcNow + StartTimeout;
        while (!await condition())
        {
            if (nodes.FirstOrDefault(node => node.HasExited) is { } exited)
            {
                Assert.Fail($"{exited.Name} exited while waiting for {what}.\n{Tails}");
            }

            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"Timed out waiting for {what}.\n{Tails}");
            }

            await Task.Delay(250);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (orleansClient is not null)
        {
            await orleansClient.StopAsync();
            orleansClient.Dispose();
        }

        foreach (var gateway in Gateways)
        {
            gateway.Dispose();
        }

        foreach (var node in nodes)
        {
            await node.DisposeAsync();
        }

        await Upstream.DisposeAsync();
        await Postgres.DisposeAsync();
    }

    private Dictionary<string, string> Environment(Dictionary<string, string> settings)
    {
        var environment = new Dictionary<string, string>
        {
            ["Cluster__ConnectionString"] = ConnectionString,
            ["Cluster__AdvertisedAddress"] = "127.0.0.1",
            ["Admin__Token"] = AdminToken,
            ["Upstream__BaseUrl"] = Upstream.BaseUrl,
            [$"Plans__{TightPlan}__RequestsPerMinute"] = TightRequestsPerMinute.ToString(),
            [$"Plans__{TightPlan}__TokensPerMinute"] = "100000000",
            [$"Plans__{RoomyPlan}__RequestsPerMinute"] = "1000000",
            [$"Plans__{RoomyPlan}__TokensPerMinute"] = "1000000000",
        };
        foreach (var (key, value) in settings)
        {
            environment[key] = value;
        }

        return environment;
    }

    private async Task<IHost> StartOrleansClient()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.UseOrleansClient(client =>
        {
            client.UseAdoNetClustering(options =>
            {
                options.Invariant = PostgresStore.Invariant;
                options.ConnectionString = ConnectionString;
            });
            client.Configure<ClusterOptions>(options =>
            {
                options.ServiceId = SiloConfiguration.ServiceId;
                options.ClusterId = SiloConfiguration.ServiceId;
            });
        });
        var host = builder.Build();
        await host.StartAsync();
        return host;
    }
}
