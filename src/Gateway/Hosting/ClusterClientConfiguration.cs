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
        client.Services.AddSingleton<IClientConnectionRetryFilter, ClusterConnectionRetry>();
        return client;
    }
}
