using DosAi.Orleans.Cluster.Tests.Infrastructure;

namespace DosAi.Orleans.Cluster.Tests.Processes;

/// <summary>PostgreSQL + 2 dedicated silos + 2 client gateways, as processes.</summary>
public sealed class TwoByTwoFixture : IAsyncLifetime
{
    public LocalCluster Cluster { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Cluster = await LocalCluster.CreateAsync();
        await Cluster.StartAsync(silos: 2, gateways: 2);
    }

    public async Task DisposeAsync() => await Cluster.DisposeAsync();
}
