using System.Net;
using System.Net.Sockets;
using DosAi.Orleans.Grains.Accounts;
using DosAi.Orleans.Grains.Accounting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace DosAi.Orleans.Grains.Hosting;

/// <summary>The one place that configures a DosAi silo, used by the gateway's co-hosted silo and by src/Silo.</summary>
public static class SiloConfiguration
{
    public const string ServiceId = "dosai";

    /// <summary>Embedded mode: one silo on localhost with its state in SQLite (a single node has no membership to share).</summary>
    public static ISiloBuilder AddDosAi(this ISiloBuilder silo, IConfiguration configuration)
    {
        silo.AddDosAiGrains(configuration);
        silo.UseLocalhostClustering(
            siloPort: configuration.GetValue("Embedded:SiloPort", 0) is var port and > 0 ? port : FreeTcpPort(),
            gatewayPort: configuration.GetValue("Embedded:GatewayPort", 0) is var gateway and > 0 ? gateway : FreeTcpPort(),
            serviceId: ServiceId,
            clusterId: configuration["Orleans:ClusterId"] ?? ServiceId);
        return silo;
    }

    /// <summary>Grain services, options and storage, without clustering (test clusters bring their own).</summary>
    public static ISiloBuilder AddDosAiGrains(this ISiloBuilder silo, IConfiguration configuration)
    {
        silo.Services.Configure<PlanOptions>(options => configuration.GetSection(PlanOptions.Section).Bind(options.Plans));
        silo.Services.Configure<WriteBehindOptions>(configuration.GetSection(WriteBehindOptions.Section));
        silo.Services.TryAddKeyedSingleton(GrainClock.Key, TimeProvider.System);
        var store = EmbeddedStore.FromConfiguration(configuration);
        store.ApplySchema();
        silo.AddAdoNetGrainStorage(StorageNames.Default, options =>
        {
            options.Invariant = EmbeddedStore.Invariant;
            options.ConnectionString = store.ConnectionString;
        });
        silo.Services.AddSingleton<IAccountingStore>(new SqliteAccountingStore(store.ConnectionString));
        silo.Services.AddSingleton<IStorageHealth>(store);
        return silo;
    }

    private static int FreeTcpPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
