using System.Diagnostics;

namespace DosAi.Orleans.Bench.Runner;

/// <summary>
/// The 2-silo + 2-gateway cluster on PostgreSQL that <c>deploy/local-cluster.sh</c> starts (the script users
/// run, so the bench measures what ships), with its state, logs and database under the run's folder.
/// </summary>
public sealed class LocalCluster : IAsyncDisposable
{
    private readonly string script;
    private readonly Dictionary<string, string> environment;

    private LocalCluster(string script, Dictionary<string, string> environment, IReadOnlyList<string> gatewayUrls)
    {
        this.script = script;
        this.environment = environment;
        GatewayUrls = gatewayUrls;
    }

    public IReadOnlyList<string> GatewayUrls { get; }

    public static bool Available(string root) =>
        File.Exists(Path.Combine(root, "deploy/local-cluster.sh"))
        && Directory.Exists("/usr/lib/postgresql")
        && Directory.EnumerateFiles("/usr/lib/postgresql", "initdb", SearchOption.AllDirectories).Any();

    /// <param name="settings">Configuration for every node (silos resolve plans, gateways proxy), as <c>Section:Key</c>.</param>
    public static async Task<LocalCluster> StartAsync(string root, string runDirectory, string upstream, IReadOnlyDictionary<string, string> settings)
    {
        int[] ports = [Ports.FreeLoopback(), Ports.FreeLoopback()];
        var environment = new Dictionary<string, string>
        {
            ["DOSAI_CLUSTER_DIR"] = Path.Combine(runDirectory, "cluster"),
            ["DOSAI_PG_PORT"] = Ports.FreeLoopback().ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["DOSAI_GATEWAY_PORTS"] = string.Join(' ', ports),
            ["Admin__Token"] = PeerLauncher.AdminToken,
            ["Upstream__BaseUrl"] = upstream,
        };
        foreach (var (key, value) in settings)
        {
            environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        }

        var cluster = new LocalCluster(Path.Combine(root, "deploy/local-cluster.sh"), environment,
            ports.Select(port => $"http://127.0.0.1:{port}").ToList());
        try
        {
            await cluster.RunScriptAsync("start", Path.Combine(runDirectory, "cluster-start.log"));
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }

        return cluster;
    }

    public async ValueTask DisposeAsync() => await RunScriptAsync("stop", Path.Combine(Path.GetDirectoryName(environment["DOSAI_CLUSTER_DIR"])!, "cluster-stop.log"));

    private async Task RunScriptAsync(string command, string log)
    {
        var info = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(script);
        info.ArgumentList.Add(command);
        foreach (var (key, value) in environment)
        {
            info.Environment[key] = value;
        }

        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        await File.WriteAllTextAsync(log, await output + await errors);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"local-cluster.sh {command} failed ({process.ExitCode}); see {log} and the cluster folder's logs.");
        }
    }
}
