using DosAi.Orleans.Cluster.Tests.Infrastructure;
using DosAi.Orleans.Grains.Hosting;
using Npgsql;

namespace DosAi.Orleans.Cluster.Tests.Storage;

[Collection(PostgresCollection.Name)]
public sealed class PostgresSchemaTests(PostgresFixture postgres)
{
    [Fact]
    public async Task Nodes_applying_the_schema_at_once_on_an_empty_database_all_succeed_and_record_it_once()
    {
        var connectionString = await postgres.Server.CreateDatabaseAsync();
        using var gate = new Barrier(6);
        var starters = Enumerable.Range(0, 6).Select(_ => Task.Run(async () =>
        {
            gate.SignalAndWait();
            await using var store = PostgresStore.Open(connectionString);
        }));
        await Task.WhenAll(starters);

        await using var dataSource = NpgsqlDataSource.Create(connectionString);
        Assert.Equal(PostgresSchema.CurrentVersion, await Scalar<int>(dataSource, "SELECT MAX(version) FROM dosai_schema_version"));
        Assert.Equal(PostgresSchema.Migrations.Count, (int)await Scalar<long>(dataSource, "SELECT COUNT(*) FROM dosai_schema_version"));
        foreach (var table in new[] { "orleansquery", "orleansmembershiptable", "orleansstorage", "dosai_ledger", "dosai_usage", "dosai_accounting_batches", "dosai_data_protection_keys", "dosai_account_keys", "dosai_credit_references" })
        {
            Assert.Equal(1L, await Scalar<long>(dataSource, $"SELECT COUNT(*) FROM information_schema.tables WHERE table_name = '{table}'"));
        }

        Assert.True(await Scalar<long>(dataSource, "SELECT COUNT(*) FROM orleansquery") > 10);
    }

    [Fact]
    public async Task A_database_at_an_earlier_version_gets_the_later_migrations_only()
    {
        var connectionString = await postgres.Server.CreateDatabaseAsync();
        await using (var dataSource = NpgsqlDataSource.Create(connectionString))
        {
            // What a node of version 1 left behind.
            foreach (var script in PostgresSchema.Migrations[0].Scripts)
            {
                await using var apply = dataSource.CreateCommand(SchemaScripts.Read(script));
                await apply.ExecuteNonQueryAsync();
            }

            await using var record = dataSource.CreateCommand(
                "CREATE TABLE dosai_schema_version (version integer NOT NULL PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now()); INSERT INTO dosai_schema_version (version) VALUES (1)");
            await record.ExecuteNonQueryAsync();
        }

        await using (PostgresStore.Open(connectionString))
        {
        }

        await using var upgraded = NpgsqlDataSource.Create(connectionString);
        Assert.Equal(PostgresSchema.CurrentVersion, await Scalar<int>(upgraded, "SELECT MAX(version) FROM dosai_schema_version"));
        Assert.Equal(1L, await Scalar<long>(upgraded, "SELECT COUNT(*) FROM information_schema.tables WHERE table_name = 'dosai_account_keys'"));
        Assert.Equal(1L, await Scalar<long>(upgraded, "SELECT COUNT(*) FROM information_schema.tables WHERE table_name = 'dosai_credit_references'"));
    }

    private static async Task<T> Scalar<T>(NpgsqlDataSource dataSource, string sql)
    {
        await using var command = dataSource.CreateCommand(sql);
        return (T)(await command.ExecuteScalarAsync())!;
    }
}
