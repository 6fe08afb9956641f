namespace DosAi.Orleans.Bench.Runner;

public sealed record ThroughputRow(string Peer, WrkResult Saturation, int Rate, LatencyStats AtRate, double SenderLagMs);

/// <summary>
/// Each peer alone (the others stopped, so none steals the two cores): warm-up, wrk at saturation,
/// then the open-loop sender at a fixed rate — half of the gateway's saturation rate unless --rate.
/// The gateway goes first because its saturation rate sets the fixed rate for everyone.
/// </summary>
public sealed class ThroughputSuite(BenchOptions options, PeerLauncher launcher, HttpClient client)
{
    public async Task<IReadOnlyList<ThroughputRow>> RunAsync(RunningPeer upstream)
    {
        var gatewayData = Path.Combine(launcher.RunDirectory, "throughput-data");
        await using var gateway = options.Peers.Contains("gateway")
            ? await launcher.StartGatewayAsync(upstream, gatewayData, new Dictionary<string, string>
            {
                ["Plans:Bench:RequestsPerMinute"] = "100000000",
                ["Plans:Bench:TokensPerMinute"] = "100000000000",
            })
            : null;
        var keys = gateway is null
            ? Enumerable.Range(0, options.Keys).Select(i => $"bench-key-{i}").ToArray()
            : await new GatewayAdmin(client, gateway.BaseUrl).ProvisionAsync(options.Keys, options.KeysPerAccount, "Bench", "throughput");
        var keysFile = Path.Combine(launcher.RunDirectory, "throughput-keys.txt");
        await File.WriteAllLinesAsync(keysFile, keys);
        Console.WriteLine($"throughput: {keys.Length} keys ready");

        var rows = new List<ThroughputRow>();
        var rate = options.Rate;
        foreach (var name in options.Peers.OrderBy(name => name == "gateway" ? 0 : 1))
        {
            var peer = name == "gateway" ? gateway! : await StartAsync(name, upstream);
            try
            {
                await Wrk.RunAsync(peer, keysFile, options.Threads, options.Connections, options.WarmupSeconds);
                var saturation = await Wrk.RunAsync(peer, keysFile, options.Threads, options.Connections, options.Seconds);
                rate ??= Math.Max(1, (int)(saturation.RequestsPerSecond / 2));
                var at = Enumerable.Range(0, rate.Value * options.Seconds).Select(i => TimeSpan.FromSeconds((double)i / rate.Value)).ToArray();
                var (exchanges, lag) = await new OpenLoopSender(client).RunAsync(at, i => (peer, i % keys.Length), keys);
                var row = new ThroughputRow(name, saturation, rate.Value, LatencyStats.From(exchanges), lag);
                rows.Add(row);
                Console.WriteLine($"throughput: {name}: {saturation.RequestsPerSecond:0} req/s, at {rate} req/s p50 {row.AtRate.P50Ms:0.00} ms p99 {row.AtRate.P99Ms:0.00} ms");
            }
            finally
            {
                if (peer != gateway)
                {
                    await peer.DisposeAsync();
                }
            }

            if (name == "gateway")
            {
                // Stop it now so it does not idle next to the other peers.
                await gateway!.DisposeAsync();
            }
        }

        return rows;
    }

    private Task<RunningPeer> StartAsync(string name, RunningPeer upstream) => name switch
    {
        "direct" => Task.FromResult(PeerLauncher.Direct(upstream)),
        "bare-yarp" => launcher.StartBareYarpAsync(upstream),
        "nginx" => launcher.StartNginxPeerAsync(upstream),
        "portkey" => launcher.StartPortkeyAsync(upstream),
        _ => throw new ArgumentException($"Unknown peer '{name}'."),
    };
}
