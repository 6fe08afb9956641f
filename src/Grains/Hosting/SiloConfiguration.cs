using DosAi.Orleans.Grains.Accounts;
using DosAi.Orleans.Grains.Accounting;
using DosAi.Orleans.Grains.ApiKeys;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Runtime.Hosting;
using Orleans.Storage;

namespace DosAi.Orleans.Grains.Hosting;

/// <summary>The one place that configures a DosAi silo, used by the gateway's co-hosted silo and by src/Silo.</summary>
public static class SiloConfiguration
{
    public const string ServiceId = "dosai";

    /// <summary>
    /// Embedded mode (no <c>Cluster:ConnectionString</c>): one silo on localhost with its state in SQLite.
    /// Cluster mode: a silo of the PostgreSQL cluster (membership, grain storage and ledger in PostgreSQL).
    /// </summary>
    public static ISiloBuilder AddDosAi(this ISiloBuilder silo, IConfiguration configuration)
    {
        var settings = ClusterSettings.From(configuration);
        silo.AddDosAiGrains(configuration);
        if (settings.IsCluster)
        {
            silo.UseDosAiMembership(settings, configuration);
            silo.Configure<ClusterOptions>(options =>
            {
                options.ServiceId = ServiceId;
                options.ClusterId = settings.ClusterId;
            });
            silo.Configure<EndpointOptions>(options =>
            {
                options.SiloPort = settings.SiloPort;
                options.GatewayPort = settings.GatewayPort;
                if (settings.AdvertisedAddress is { } address)
                {
                    options.AdvertisedIPAddress = address;
                }
            });
            if (KubernetesHosting.IsEnabled(configuration))
            {
                // Pod IP, cluster id and service id from the pod's environment (see deploy/kubernetes).
                silo.UseKubernetesHosting();
            }

            return silo;
        }

        silo.UseLocalhostClustering(
            siloPort: configuration.GetValue("Embedded:SiloPort", 0) is var port and > 0 ? port : LoopbackPorts.Free(),
            gatewayPort: configuration.GetValue("Embedded:GatewayPort", 0) is var gateway and > 0 ? gateway : LoopbackPorts.Free(),
            serviceId: ServiceId,
            clusterId: configuration["Orleans:ClusterId"] ?? ServiceId);
        return silo;
    }

    /// <summary>
    /// PostgreSQL membership, the strongly consistent grain directory and failure detection tuned for
    /// a small cluster; without endpoints (test clusters bring their own).
    /// </summary>
    public static ISiloBuilder UseDosAiMembership(this ISiloBuilder silo, ClusterSettings settings, IConfiguration configuration)
    {
        silo.UseAdoNetClustering(options =>
        {
            options.Invariant = PostgresStore.Invariant;
            options.ConnectionString = settings.ConnectionString;
        });

        // The default directory is eventually consistent: while membership changes, two silos can briefly
        // both activate one key, each with its own window. The distributed directory hands out ownership
        // in membership-versioned ranges, so a key has one activation and therefore one exact window.
#pragma warning disable ORLEANSEXP003
        silo.AddDistributedGrainDirectory();
#pragma warning restore ORLEANSEXP003

        silo.Configure<ClusterMembershipOptions>(options =>
        {
            // Defaults (5 s probes, 3 misses) take ~15-20 s to declare a dead silo, during which its keys
            // answer errors. 2 s x 3 misses bounds that to ~6-8 s yet tolerates a 4 s stall (GC, a loaded
            // host) without a false death; missed IAmAlive writes still need 10 s of silence.
            options.ProbeTimeout = TimeSpan.FromSeconds(2);
            options.NumMissedProbesLimit = 3;
            options.IAmAliveTablePublishTimeout = TimeSpan.FromSeconds(5);
            options.TableRefreshTimeout = TimeSpan.FromSeconds(5);
            options.DeathVoteExpirationTimeout = TimeSpan.FromSeconds(30);
        });
        silo.Configure<ClusterMembershipOptions>(configuration.GetSection($"{ClusterSettings.Section}:Membership"));
        return silo;
    }

    /// <summary>Grain services, options, storage and schema, without clustering.</summary>
    public static ISiloBuilder AddDosAiGrains(this ISiloBuilder silo, IConfiguration configuration)
    {
        // A misconfigured limit or interval stops the node at start with the key to fix, not at its first request.
        silo.Services.AddOptions<PlanOptions>()
            .Configure(options => configuration.GetSection(PlanOptions.Section).Bind(options.Plans))
            .Validate(options => options.Plans.Values.All(plan => plan.RequestsPerMinute >= 1 && plan.TokensPerMinute >= 1),
                "Plans:<Name>:RequestsPerMinute and Plans:<Name>:TokensPerMinute must be at least 1.")
            .ValidateOnStart();
        silo.Services.AddSingleton<IValidateOptions<PlanOptions>>(new NamedEntriesValidation<PlanOptions>(new NamedEntries(
            configuration.GetSection(PlanOptions.Section),
            new Dictionary<string, NumberKind>(StringComparer.OrdinalIgnoreCase)
            {
                [nameof(PlanLimitOptions.RequestsPerMinute)] = NumberKind.Whole,
                [nameof(PlanLimitOptions.TokensPerMinute)] = NumberKind.Whole,
            })));
        silo.Services.AddOptions<WriteBehindOptions>()
            .Bind(configuration.GetSection(WriteBehindOptions.Section))
            .Validate(options => options.WriteBehindInterval >= WriteBehindOptions.ShortestInterval && options.LedgerWriteInterval >= WriteBehindOptions.ShortestInterval,
                $"Persistence:WriteBehindInterval and Persistence:LedgerWriteInterval must be at least {WriteBehindOptions.ShortestInterval}.")
            .ValidateOnStart();
        silo.Services.TryAddKeyedSingleton(GrainClock.Key, TimeProvider.System);
        silo.Services.AddSingleton<ApiKeyTicker>();
        silo.Services.TryAddSingleton<CoHostedApiKeys>();
        silo.Services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(services => services.GetRequiredService<ApiKeyTicker>());
        var settings = ClusterSettings.From(configuration);
        if (settings.IsCluster)
        {
            var postgres = PostgresStore.Open(settings.ConnectionString!);
            silo.AddAdoNetGrainStorage(StorageNames.Default, options =>
            {
                options.Invariant = PostgresStore.Invariant;
                options.ConnectionString = postgres.ConnectionString;
            });
            silo.Services.AddSingleton(postgres);
            silo.Services.AddSingleton<IAccountingStore>(_ => new GroupCommitAccountingStore(new PostgresAccountingStore(postgres.DataSource)));
            silo.Services.AddSingleton<IStorageHealth>(postgres);
            return silo;
        }

        var store = EmbeddedStore.FromConfiguration(configuration);
        store.ApplySchema();
        const string sqliteStorage = StorageNames.Default + "-sqlite";
        silo.AddAdoNetGrainStorage(sqliteStorage, options =>
        {
            options.Invariant = EmbeddedStore.Invariant;
            options.ConnectionString = store.ConnectionString;
        });
        silo.Services.AddGrainStorage(StorageNames.Default, (services, _) =>
            new SqliteGatedGrainStorage(services.GetRequiredKeyedService<IGrainStorage>(sqliteStorage), store.WriteGate));
        silo.Services.AddSingleton(store);
        silo.Services.AddSingleton<IAccountingStore>(_ => new GroupCommitAccountingStore(new SqliteAccountingStore(store.ConnectionString, store.WriteGate)));
        silo.Services.AddSingleton<IStorageHealth>(store);
        return silo;
    }
}
