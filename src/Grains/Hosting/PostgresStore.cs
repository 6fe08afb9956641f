using Npgsql;

namespace DosAi.Orleans.Grains.Hosting;

/// <summary>Cluster mode's PostgreSQL database (<c>Cluster:ConnectionString</c>): one pooled data source per process.</summary>
public sealed class PostgresStore : IStorageHealth, IAsyncDisposable
{
    /// <summary>Orleans' ADO.NET name that maps to Npgsql's factory.</summary>
    public const string Invariant = "Npgsql";

    private PostgresStore(string connectionString)
    {
        ConnectionString = connectionString;
        DataSource = NpgsqlDataSource.Create(connectionString);
    }

    public string ConnectionString { get; }

    public NpgsqlDataSource DataSource { get; }

    /// <summary>Connects and brings the schema up to date (see <see cref="PostgresSchema"/>).</summary>
    public static PostgresStore Open(string connectionString)
    {
        var store = new PostgresStore(connectionString);
        PostgresSchema.Apply(store.DataSource);
        return store;
    }

    public async Task<bool> IsReachableAsync(CancellationToken cancellationToken)
    {
        try
        {
            await using var command = DataSource.CreateCommand("SELECT 1");
            return await command.ExecuteScalarAsync(cancellationToken) is not null;
        }
        catch (NpgsqlException)
        {
            return false;
        }
    }

    public ValueTask DisposeAsync() => DataSource.DisposeAsync();
}
