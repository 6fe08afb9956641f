namespace DosAi.Orleans.Bench.Runner;

/// <summary>How each peer is started: on a free loopback port, logging into the run folder, ready before it is returned.</summary>
public sealed class PeerLauncher(BenchOptions options, string runDirectory, HttpClient client)
{
    public const string AdminToken = "bench-admin-token";
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(90);
    private static readonly IReadOnlyDictionary<string, string> NoHeaders = new Dictionary<string, string>();

    /// <summary>
    /// The tiering the gateway and silo ship with in their containers (deploy/Dockerfile.*), given to both
    /// .NET peers alike: quick JIT, so dynamic PGO profiles the hot path, with call counting from the
    /// first call (without it a gateway under load at once kept unprofiled code for seconds).
    /// </summary>
    public static readonly IReadOnlyDictionary<string, string> ServerTiering = new Dictionary<string, string>
    {
        ["DOTNET_TC_QuickJit"] = "1",
        ["DOTNET_TC_CallCountingDelayMs"] = "0",
    };

    public string RunDirectory => runDirectory;

    public Task<RunningPeer> StartUpstreamAsync() =>
        StartDotnetAsync("upstream", Dll("bench/Upstream", "DosAi.Orleans.Bench.Upstream"), [], "/");

    public static RunningPeer Direct(RunningPeer upstream) => new("direct", upstream.BaseUrl, NoHeaders);

    public Task<RunningPeer> StartBareYarpAsync(RunningPeer upstream) =>
        StartDotnetAsync("bare-yarp", Dll("bench/BareYarp", "DosAi.Orleans.Bench.BareYarp"), [$"--Upstream:BaseUrl={upstream.BaseUrl}"], "/", ServerTiering);

    /// <summary>The built gateway as its own process, embedded mode, with its shipped appsettings (working directory = its output folder).</summary>
    public Task<RunningPeer> StartGatewayAsync(RunningPeer upstream, string dataDirectory, IReadOnlyDictionary<string, string> settings, string name = "gateway")
    {
        var arguments = new List<string>
        {
            $"--Admin:Token={AdminToken}",
            $"--Upstream:BaseUrl={upstream.BaseUrl}",
            $"--Embedded:DataDirectory={dataDirectory}",
        };
        // DOTNET_* settings are runtime knobs (GC, tiering): environment variables, not configuration.
        var runtime = new Dictionary<string, string>(ServerTiering);
        foreach (var (key, value) in options.GatewaySettings.Where(setting => setting.Key.StartsWith("DOTNET_", StringComparison.Ordinal)))
        {
            runtime[key] = value;
        }

        arguments.AddRange(settings.Concat(options.GatewaySettings.Where(setting => !setting.Key.StartsWith("DOTNET_", StringComparison.Ordinal)))
            .Select(setting => $"--{setting.Key}={setting.Value}"));
        return StartDotnetAsync(name, Dll("src/Gateway", "DosAi.Orleans.Gateway"), arguments, "/healthz", runtime);
    }

    public async Task<(ChildProcess Process, IReadOnlyList<string> BaseUrls)> StartNginxAsync(RunningPeer upstream, IReadOnlyList<(string Rate, int Burst)> limits)
    {
        var prefix = Path.Combine(runDirectory, "nginx-" + Ports.FreeLoopback());
        Directory.CreateDirectory(prefix);
        var servers = limits.Select(limit => new NginxServer(Ports.FreeLoopback(), limit.Rate, limit.Burst)).ToList();
        var config = Path.Combine(prefix, "nginx.conf");
        await File.WriteAllTextAsync(config, NginxConfig.Render(prefix, new Uri(upstream.BaseUrl), servers));
        var process = ChildProcess.Start("nginx", NginxBinary(), ["-p", prefix, "-c", config, "-e", Path.Combine(prefix, "error.log")], runDirectory);
        var urls = servers.Select(server => $"http://127.0.0.1:{server.Port}").ToList();
        foreach (var url in urls)
        {
            await ReadyOrStopAsync(process, url + "/");
        }

        return (process, urls);
    }

    public async Task<RunningPeer> StartNginxPeerAsync(RunningPeer upstream)
    {
        // Limits far above the offered load, so the throughput run measures the proxy and its limiter lookup, not 429s.
        var (process, urls) = await StartNginxAsync(upstream, [("1000000r/s", 1_000_000)]);
        return new RunningPeer("nginx", urls[0], NoHeaders, process);
    }

    public async Task<RunningPeer> StartPortkeyAsync(RunningPeer upstream)
    {
        var start = Path.Combine(options.Tools, "portkey/node_modules/@portkey-ai/gateway/build/start-server.js");
        if (!File.Exists(start))
        {
            throw new FileNotFoundException("Portkey is not installed; bench/run.sh installs it.", start);
        }

        var preload = Path.Combine(AppContext.BaseDirectory, "portkey-loopback.cjs");
        var (process, url) = await StartOnFreePortAsync(port => ChildProcess.Start("portkey", "node",
            ["--require", preload, start, $"--port={port}", "--headless"], runDirectory,
            environment: new Dictionary<string, string> { ["NODE_ENV"] = "production" }), "/");
        var headers = new Dictionary<string, string>
        {
            ["x-portkey-provider"] = "openai",
            ["x-portkey-custom-host"] = upstream.BaseUrl + "/v1",
        };
        return new RunningPeer("portkey", url, headers, process);
    }

    private async Task<RunningPeer> StartDotnetAsync(string name, string dll, IEnumerable<string> arguments, string readyPath,
        IReadOnlyDictionary<string, string>? environment = null)
    {
        if (!File.Exists(dll))
        {
            throw new FileNotFoundException($"{name} is not built ({options.Configuration}); bench/run.sh builds it.", dll);
        }

        var (process, url) = await StartOnFreePortAsync(port => ChildProcess.Start(name, "dotnet",
            [dll, $"--urls={Url(port)}", .. arguments], runDirectory, workingDirectory: Path.GetDirectoryName(dll), environment), readyPath);
        return new RunningPeer(name, url, NoHeaders, process);
    }

    /// <summary>
    /// Starts a child on a port that was free a moment ago, and again on another one if a socket took the port
    /// first: the ephemeral range it comes from is the one every client connection of the run draws from too.
    /// </summary>
    private async Task<(ChildProcess Process, string Url)> StartOnFreePortAsync(Func<int, ChildProcess> start, string readyPath)
    {
        for (var attempt = 1; ; attempt++)
        {
            var port = Ports.FreeLoopback();
            var process = start(port);
            try
            {
                await ReadyOrStopAsync(process, Url(port) + readyPath);
                return (process, Url(port));
            }
            catch (PortTakenException) when (attempt < 3)
            {
                Console.WriteLine($"{process.Name}: port {port} was taken before it could listen; starting it again on another");
            }
        }
    }

    private static string Url(int port) => $"http://127.0.0.1:{port}";

    private async Task ReadyOrStopAsync(ChildProcess process, string url)
    {
        try
        {
            await process.WaitReadyAsync(client, url, StartTimeout);
            Console.WriteLine($"{process.Name}: pid {process.Id}, {url}");
        }
        catch
        {
            await process.DisposeAsync();
            throw;
        }
    }

    private string Dll(string project, string assembly) =>
        Path.Combine(options.Root, project, "bin", options.Configuration, "net10.0", assembly + ".dll");

    private static string NginxBinary() => File.Exists("/usr/sbin/nginx") ? "/usr/sbin/nginx" : "nginx";
}
