using System.Net;
using System.Net.Sockets;
using DosAi.Orleans.Grains.Accounts;
using DosAi.Orleans.Grains.Ledger;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Orleans.Configuration;

namespace DosAi.Orleans.Grains.Hosting;

/// <summary>The one place that configures a DosAi silo, used by the gateway's co-hosted silo and by src/Silo.</summary>
public static class SiloConfiguration
{
    public const string ServiceId = "dosai";

    public static ISiloBuilder AddDosAi(this ISiloBuilder silo, IConfiguration configuration)
    {
        silo.Services.Configure<PlanOptions>(options => configuration.GetSection(PlanOptions.Section).Bind(options.Plans));
        silo.Services.Configure<WriteBehindOptions>(configuration.GetSection(WriteBehindOptions.Section));
        silo.Services.TryAddSingleton(TimeProvider.System);
        silo.Configure<ClusterOptions>(options =>
        {
            options.ClusterId = configuration["Orleans:ClusterId"] ?? ServiceId;
            options.ServiceId = ServiceId;
        });

        var store = EmbeddedStore.FromConfiguration(configuration);
        store.ApplySchema();
        silo.UseLocalhostClustering(
            siloPort: configuration.GetValue("Embedded:SiloPort", 0) is var port and > 0 ? port : FreeTcpPort(),
            gatewayPort: configuration.GetValue("Embedded:GatewayPort", 0) is var gateway and > 0 ? gateway : FreeTcpPort(),
            serviceId: ServiceId,
            clusterId: configuration["Orleans:ClusterId"] ?? ServiceId);
        silo.AddAdoNetGrainStorage(StorageNames.Default, options =>
        {
            options.Invariant = EmbeddedStore.Invariant;
            options.ConnectionString = store.ConnectionString;
        });
        silo.Services.AddSingleton<ILedgerStore>(new SqliteLedgerStore(store.ConnectionString));
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
