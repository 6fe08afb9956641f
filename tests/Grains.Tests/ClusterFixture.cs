using DosAi.Orleans.Grains.ApiKeys;
using DosAi.Orleans.Grains.Hosting;
using DosAi.Orleans.Grains.Interfaces.ApiKeys;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Orleans.TestingHost;

namespace DosAi.Orleans.Grains.Tests;

/// <summary>A real two-silo TestCluster with the project's SQLite ADO.NET storage and a fake grain clock.</summary>
public class ClusterFixture : IAsyncLifetime
{
    // Silos are created by the TestCluster from a type, so the clock they share is static.
    public static readonly FakeTimeProvider Clock = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));

    public string DataDirectory { get; } = Directory.CreateTempSubdirectory("dosai-grains-").FullName;

    public TestCluster Cluster { get; private set; } = null!;

    public IGrainFactory Grains => Cluster.GrainFactory;

    /// <summary>The key as the silo it is active on offers it in-process; null while it is active nowhere.</summary>
    public ICoHostedApiKey? ActiveKey(IApiKeyGrain key) => Cluster.Silos
        .Select(silo => ((InProcessSiloHandle)silo).SiloHost.Services.GetRequiredService<CoHostedApiKeys>().Find(key.GetGrainId().Key))
        .SingleOrDefault(found => found is not null);

    /// <summary>Short, so write-behind tests finish quickly.</summary>
    protected virtual string WriteBehindInterval => "00:00:00.200";

    protected virtual string LedgerWriteInterval => WriteBehindInterval;

    public async Task InitializeAsync()
    {
        var builder = new TestClusterBuilder(2);
        builder.Properties["Embedded:DataDirectory"] = DataDirectory;
        builder.Properties["Persistence:WriteBehindInterval"] = WriteBehindInterval;
        builder.Properties["Persistence:LedgerWriteInterval"] = LedgerWriteInterval;
        builder.AddSiloBuilderConfigurator<SiloConfigurator>();
        Cluster = builder.Build();
        await Cluster.DeployAsync();
    }

    public async Task DisposeAsync()
    {
        await Cluster.StopAllSilosAsync();
        await Cluster.DisposeAsync();
    }

    private sealed class SiloConfigurator : ISiloConfigurator
    {
        public void Configure(ISiloBuilder siloBuilder)
        {
            siloBuilder.Services.AddKeyedSingleton<TimeProvider>(GrainClock.Key, Clock);
            siloBuilder.AddDosAiGrains(siloBuilder.Configuration);
            siloBuilder.AddIncomingGrainCallFilter<ApiKeys.HeldChargeDelivery>();
        }
    }
}

/// <summary>A cluster whose grains and key tickers never tick during a test: what happens without write-behind.</summary>
public sealed class QuietClusterFixture : ClusterFixture
{
    protected override string WriteBehindInterval => "01:00:00";
}

/// <summary>Keys tick as usual; accounts never write their ledger on their own during a test.</summary>
public sealed class QuietLedgerClusterFixture : ClusterFixture
{
    protected override string LedgerWriteInterval => "01:00:00";
}

[CollectionDefinition(Name)]
public sealed class ClusterCollection : ICollectionFixture<ClusterFixture>
{
    public const string Name = "cluster";
}
