using System.Diagnostics;
using DosAi.Orleans.Grains.Hosting;
using Npgsql;

namespace DosAi.Orleans.Cluster.Tests.Infrastructure;

/// <summary>
/// A real PostgreSQL server from Debian's binaries (package <c>postgresql</c>), initialised into a temp
/// folder and listening on a free loopback port with trust authentication. initdb refuses to run as
/// root, so under root the server runs as the <c>postgres</c> OS user.
/// </summary>
public sealed class PostgresServer : IAsyncDisposable
{
    private readonly string directory;
    private readonly string binaries;

    private PostgresServer(string directory, string binaries, int port)
    {
        this.directory = directory;
        this.binaries = binaries;
        Port = port;
    }

    public int Port { get; }

    private string DataDirectory => Path.Combine(directory, "data");

    public static async Task<PostgresServer> StartAsync()
    {
        var binaries = FindBinaries();
        var directory = Directory.CreateTempSubdirectory("dosai-pg-").FullName;
        var port = LoopbackPorts.Free();
        var server = new PostgresServer(directory, binaries, port);
        if (Environment.UserName == "root")
        {
            await Run("chown", ["-R", "postgres:postgres", directory]);
        }

        await server.RunAsOwner("initdb", ["-D", server.DataDirectory, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-sync"]);
        await server.RunAsOwner("pg_ctl", [
            "-D", server.DataDirectory, "-l", Path.Combine(directory, "server.log"), "-w", "-t", "120",
            "-o", $"-h 127.0.0.1 -p {port} -k {directory} -c fsync=off -c max_connections=400",
            "start",
        ]);
        return server;
    }

    public string ConnectionString(string database) =>
        new NpgsqlConnectionStringBuilder { Host = "127.0.0.1", Port = Port, Username = "postgres", Database = database }.ToString();

    /// <summary>A new, empty database: each test class gets its own.</summary>
    public async Task<string> CreateDatabaseAsync()
    {
        var name = $"dosai_{Guid.NewGuid():N}";
        await using var connection = new NpgsqlConnection(ConnectionString("postgres"));
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"CREATE DATABASE {name}", connection);
        await command.ExecuteNonQueryAsync();
        return ConnectionString(name);
    }

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        await RunAsOwner("pg_ctl", ["-D", DataDirectory, "-m", "immediate", "-w", "stop"]);
        Directory.Delete(directory, recursive: true);
    }

    private static string FindBinaries() =>
        Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql")
                .Select(path => Path.Combine(path, "bin"))
                .Where(path => File.Exists(Path.Combine(path, "initdb")))
                .OrderByDescending(path => int.TryParse(Path.GetFileName(Path.GetDirectoryName(path)), out var version) ? version : 0)
                .FirstOrDefault() ?? throw Missing()
            : throw Missing();

    private static InvalidOperationException Missing() =>
        new("PostgreSQL binaries not found under /usr/lib/postgresql/*/bin: apt-get install -y postgresql (.ci/run does).");

    private Task RunAsOwner(string tool, string[] arguments) =>
        Environment.UserName == "root"
            ? Run("runuser", ["-u", "postgres", "--", Path.Combine(binaries, tool), .. arguments])
            : Run(Path.Combine(binaries, tool), arguments);

    private static async Task Run(string program, string[] arguments)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{program} {string.Join(' ', arguments)} exited {process.ExitCode}: {await output}{await error}");
        }
    }
}
