using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;

namespace DosAi.Orleans.Grains.Hosting;

/// <summary>The embedded mode's SQLite file under <c>Embedded:DataDirectory</c> (default <c>./data</c>).</summary>
public sealed class EmbeddedStore(string connectionString) : IStorageHealth
{
    /// <summary>Orleans' ADO.NET name that maps to Microsoft.Data.Sqlite's factory.</summary>
    public const string Invariant = "System.Data.SQLite";

    public string ConnectionString { get; } = connectionString;

    /// <summary>Every write to the file from this silo takes its turn here.</summary>
    public SqliteWriteGate WriteGate { get; } = new();

    public static EmbeddedStore FromConfiguration(IConfiguration configuration)
    {
        var directory = Path.GetFullPath(configuration["Embedded:DataDirectory"] ?? "./data");
        Directory.CreateDirectory(directory);
        var builder = new SqliteConnectionStringBuilder
        {
            DataSource = Path.Combine(directory, "dosai.db"),
            DefaultTimeout = 30,
        };
        return new EmbeddedStore(builder.ToString());
    }

    /// <summary>Idempotent; BEGIN IMMEDIATE takes SQLite's write lock, so concurrent starters run it one at a time.</summary>
    public void ApplySchema()
    {
        using var connection = new SqliteConnection(ConnectionString);
        connection.Open();
        Execute(connection, "PRAGMA journal_mode=WAL;");
        Execute(connection, "BEGIN IMMEDIATE;");
        foreach (var script in new[] { "sqlite.sql", "sqlite-app.sql" })
        {
            Execute(connection, SchemaScripts.Read(script));
        }

        Execute(connection, "COMMIT;");
    }

    public async Task<bool> IsReachableAsync(CancellationToken cancellationToken)
    {
        try
        {
            await using var connection = new SqliteConnection(ConnectionString);
            await connection.OpenAsync(cancellationToken);
            await using var command = connection.CreateCommand();
            command.CommandText = "SELECT 1";
            return await command.ExecuteScalarAsync(cancellationToken) is not null;
        }
        catch (SqliteException)
        {
            return false;
        }
    }

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
