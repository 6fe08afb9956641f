using Npgsql;

namespace DosAi.Orleans.Grains.Hosting;

/// <summary>
/// Versioned schema. Every node applies it at start inside one transaction holding a transaction-level
/// advisory lock, so nodes starting together on an empty database run it one after the other and the
/// later ones find the version already recorded. A new version appends a migration; old ones never change.
/// </summary>
public static class PostgresSchema
{
    /// <summary>Arbitrary constant shared by every DosAi node: the advisory lock that serialises migrations.</summary>
    private const long MigrationLock = 0x646F7361_69000001;

    public static readonly IReadOnlyList<(int Version, string[] Scripts)> Migrations =
    [
        (1, ["postgresql.sql", "postgresql-app.sql"]),
        (2, ["postgresql-2.sql"]),
        (3, ["postgresql-3.sql"]),
    ];

    public static int CurrentVersion => Migrations[^1].Version;

    public static void Apply(NpgsqlDataSource dataSource)
    {
        using var connection = dataSource.OpenConnection();
        using var transaction = connection.BeginTransaction();
        Execute(connection, $"SELECT pg_advisory_xact_lock({MigrationLock})");
        Execute(connection, "CREATE TABLE IF NOT EXISTS dosai_schema_version (version integer NOT NULL PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())");
        using (var read = new NpgsqlCommand("SELECT COALESCE(MAX(version), 0) FROM dosai_schema_version", connection))
        {
            var applied = (int)read.ExecuteScalar()!;
            foreach (var (version, scripts) in Migrations.Where(migration => migration.Version > applied))
            {
                foreach (var script in scripts)
                {
                    Execute(connection, SchemaScripts.Read(script));
                }

                Execute(connection, $"INSERT INTO dosai_schema_version (version) VALUES ({version})");
            }
        }

        transaction.Commit();
    }

    private static void Execute(NpgsqlConnection connection, string sql)
    {
        using var command = new NpgsqlCommand(sql, connection);
        command.ExecuteNonQuery();
    }
}
