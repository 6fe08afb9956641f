using DosAi.Orleans.Cluster.Tests.Infrastructure;
using DosAi.Orleans.Grains.Hosting;
using Npgsql;

namespace DosAi.Orleans.Cluster.Tests.Processes;

public sealed class SimultaneousStartTests : IAsyncLifetime
{
    private LocalCluster cluster = null!;

    public async Task InitializeAsync() => cluster = await LocalCluster.CreateAsync();

    public async Task DisposeAsync() => await cluster.DisposeAsync();

    [Fact]
    public async Task Three_nodes_started_at_the_same_moment_on_an_empty_database_all_come_up()
    {
        // Two dedicated silos and a gateway co-hosting a third silo, all racing to create the schema.
        cluster.StartSilo();
        cluster.StartSilo();
        cluster.StartGateway(NodeMode.Cohosted);

        await cluster.WaitForActiveSilos(3);
        await cluster.WaitUntilReady();
        Assert.Equal(3, await cluster.ActiveSilos());
        Assert.All(cluster.Silos, silo => Assert.False(silo.Process.HasExited));

        await using (var connection = new NpgsqlConnection(cluster.ConnectionString))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand("SELECT COUNT(*) FROM dosai_schema_version", connection);
            Assert.Equal((long)PostgresSchema.Migrations.Count, await command.ExecuteScalarAsync());
        }

        var gateway = cluster.Gateways[0];
        var account = await gateway.CreateAccount(LocalCluster.RoomyPlan, credits: 1);
        var (_, key) = await gateway.CreateKey(account);
        Assert.Equal(200, await gateway.Chat(key));
    }
}
