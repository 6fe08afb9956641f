using System.Diagnostics;

namespace DosAi.Orleans.Bench.Runner;

/// <param name="Cores">CPU the peer's processes used during the run ÷ its length; null when unknown (direct: the upstream is not the peer).</param>
/// <param name="SenderGcMs">How long the sender's own GC paused it during the run.</param>
public sealed record LatencyRun(int Rate, LatencyStats Stats, double SenderLagMs, double SenderGcMs, double? Cores);

/// <summary>One peer in one round: wrk at saturation, then the open-loop sender at each fixed rate.</summary>
public sealed record ThroughputRound(WrkResult Saturation, IReadOnlyList<LatencyRun> Latency);

public sealed record ThroughputRow(string Peer, IReadOnlyList<ThroughputRound> Rounds);

/// <summary>
/// Each peer alone (the others stopped, so none steals the two cores): warm-up, wrk at saturation,
/// then the open-loop sender at each fixed rate, lowest first — half of the gateway's saturation rate
/// (first round) and any given with --rates. With --rounds N the whole sequence runs N times with fresh processes,
/// so one slow process or a noisy minute shows up as spread instead of as the result.
/// The gateway goes first because its saturation rate sets the "half" rate for everyone.
/// </summary>
public sealed class ThroughputSuite(BenchOptions options, PeerLauncher launcher, HttpClient client)
{
    private static readonly Dictionary<string, string> BenchPlan = new()
    {
        ["Plans:Bench:RequestsPerMinute"] = "100000000",
        ["Plans:Bench:TokensPerMinute"] = "100000000000",
    };

    public async Task<IReadOnlyList<ThroughputRow>> RunAsync(RunningPeer upstream)
    {
        var gatewayData = Path.Combine(launcher.RunDirectory, "throughput-data");
        var keysFile = Path.Combine(launcher.RunDirectory, "throughput-keys.txt");
        var keys = Enumerable.Range(0, options.Keys).Select(i => $"bench-key-{i}").ToArray();
        var peers = options.Peers.OrderBy(name => name == "gateway" ? 0 : 1).ToList();
        var rounds = peers.ToDictionary(name => name, _ => new List<ThroughputRound>());
        List<int>? rates = null;
        for (var round = 1; round <= options.Rounds; round++)
        {
            foreach (var name in peers)
            {
                var launched = Stopwatch.GetTimestamp();
                await using var peer = name == "gateway"
                    ? await launcher.StartGatewayAsync(upstream, gatewayData, BenchPlan)
                    : await StartAsync(name, upstream);
                if (name == "gateway" && round == 1)
                {
                    keys = await new GatewayAdmin(client, peer.BaseUrl).ProvisionAsync(options.Keys, options.KeysPerAccount, "Bench", "throughput");
                    Console.WriteLine($"throughput: {keys.Length} keys ready");
                }

                if (round == 1 && !File.Exists(keysFile))
                {
                    await File.WriteAllLinesAsync(keysFile, keys);
                }

                await Wrk.RunAsync(peer, keysFile, options.Threads, options.Connections, options.WarmupSeconds);
                var saturation = await Wrk.RunAsync(peer, keysFile, options.Threads, options.Connections, options.Seconds);
                rates ??= FixedRates(saturation.RequestsPerSecond);
                var latency = new List<LatencyRun>();
                // A sender of its own for each peer, so that none is measured beside the connections the peer
                // before it left open (Portkey's slow answers leave about a thousand).
                using var sender = BenchHttpClient.Create();
                foreach (var rate in rates)
                {
                    // The sender's garbage from earlier runs (Portkey's hundreds of thousands of failed requests
                    // among it) is collected now, not in the middle of this peer's measurement. Before the warm-up,
                    // so that the measured run follows the warm-up at once, not a pause of the sender's.
                    GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
                    GC.WaitForPendingFinalizers();
                    // Warm-up at the same rate first: the sender's new connections and a peer's catch-up after
                    // saturation (write-behind backlog, a grown heap) are start-up, not steady-state latency.
                    await new OpenLoopSender(sender).RunAsync(Schedule(rate, Warmup(peer, launched)), i => (peer, i % keys.Length), keys);
                    var cpuBefore = CpuOf(peer);
                    var started = Stopwatch.GetTimestamp();
                    var (exchanges, lag, ownGc) = await new OpenLoopSender(sender).RunAsync(Schedule(rate, TimeSpan.FromSeconds(options.Seconds)), i => (peer, i % keys.Length), keys);
                    var cores = CpuOf(peer) - cpuBefore is { } used ? used / Stopwatch.GetElapsedTime(started) : (double?)null;
                    latency.Add(new LatencyRun(rate, LatencyStats.From(exchanges), lag, ownGc, cores));
                    await ExchangeLog.WriteAsync(Path.Combine(launcher.RunDirectory, $"latency-{name}-round{round}-{rate}.csv"), exchanges);
                }

                rounds[name].Add(new ThroughputRound(saturation, latency));
                Console.WriteLine($"throughput: round {round}: {name}: {saturation.RequestsPerSecond:0} req/s; "
                    + string.Join("; ", latency.Select(run => $"at {run.Rate} req/s p50 {run.Stats.P50Ms:0.00} ms p99 {run.Stats.P99Ms:0.00} ms "
                    + $"(sender lag {run.SenderLagMs:0.0} ms, own GC {run.SenderGcMs:0.0} ms)")));
            }
        }

        return [.. peers.Select(name => new ThroughputRow(name, rounds[name]))];
    }

    private static TimeSpan? CpuOf(RunningPeer peer) => peer.Main is { } main ? ProcessCpu.Used(main.Id) : null;

    private static TimeSpan[] Schedule(int rate, TimeSpan length) =>
        [.. Enumerable.Range(0, (int)(rate * length.TotalSeconds)).Select(i => TimeSpan.FromSeconds((double)i / rate))];

    /// <summary>
    /// The warm-up before a latency run: --warmup, lengthened until the peer's processes have run --least-uptime.
    /// A .NET process recompiles code called about once a second once it has run some 30 times, and its first
    /// background GCs come in its first minute. Measured 31 s after its start, the gateway's first second at
    /// 2,000 req/s held a quarter of the run's slowest 1%; measured 36 s after, that second held its share.
    /// That is start-up, not steady state, so no peer is measured in it (direct's upstream has long run).
    /// </summary>
    private TimeSpan Warmup(RunningPeer peer, long launched)
    {
        var warmup = TimeSpan.FromSeconds(options.WarmupSeconds);
        var untilSteady = TimeSpan.FromSeconds(options.LeastUptimeSeconds) - Stopwatch.GetElapsedTime(launched);
        return peer.Main is not null && untilSteady > warmup ? untilSteady : warmup;
    }

    /// <summary>
    /// The --rates list, lowest first; "half" is half of the first peer's (the gateway's) saturation rate.
    /// Lowest first, because a rate measured right after a heavier one measured that one's aftermath: the
    /// gateway's p99 at 2,000 req/s read 1.7–1.8 ms after the half rate against 0.9–1.5 without it.
    /// </summary>
    private List<int> FixedRates(double firstSaturation) =>
        [.. options.Rates
            .Select(rate => rate == "half" ? Math.Max(1, (int)(firstSaturation / 2)) : int.Parse(rate, System.Globalization.CultureInfo.InvariantCulture))
            .Order()];

    private Task<RunningPeer> StartAsync(string name, RunningPeer upstream) => name switch
    {
        "direct" => Task.FromResult(PeerLauncher.Direct(upstream)),
        "bare-yarp" => launcher.StartBareYarpAsync(upstream),
        "nginx" => launcher.StartNginxPeerAsync(upstream),
        "portkey" => launcher.StartPortkeyAsync(upstream),
        _ => throw new ArgumentException($"Unknown peer '{name}'."),
    };
}
