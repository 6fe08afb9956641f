using DosAi.Orleans.Grains.Hosting;
using Orleans.Configuration;

namespace DosAi.Orleans.Gateway.Hosting;

public static class ClusterClientConfiguration
{
    /// <summary>Client mode: silos' gateway endpoints come from the PostgreSQL membership table.</summary>
    public static IClientBuilder UseDosAiCluster(this IClientBuilder client, ClusterSettings settings)
    {
        client.UseAdoNetClustering(options =>
        {
            options.Invariant = PostgresStore.Invariant;
            options.ConnectionString = settings.ConnectionString;
        });
        client.Configure<ClusterOptions>(options =>
        {
            options.ServiceId = SiloConfiguration.ServiceId;
            options.ClusterId = settings.ClusterId;
        });

        // The default (1 min) leaves a silo that joined later without client traffic for that long.
        client.Configure<GatewayOptions>(options => options.GatewayListRefreshPeriod = TimeSpan.FromSeconds(10));
        // A client never learns that a silo died: a call that silo had already received waits for the
        // whole response timeout. Grain calls take milliseconds, so 10 s (default 30 s) still leaves a
        // wide margin while bounding what a kill -9 costs the requests caught in flight.
        client.Configure<ClientMessagingOptions>(options => options.ResponseTimeout = TimeSpan.FromSeconds(10));
        client.Services.AddSingleton<IClientConnectionRetryFilter, ClusterConnectionRetry>();
        return client;
    }
}
