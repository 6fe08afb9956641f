namespace DosAi.Orleans.Bench.Runner;

/// <param name="Cold">First request on each key activated in this stage (grain activation + state read).</param>
/// <param name="Warm">Requests on random keys among all active ones: admission cost as the active set grows.</param>
/// <param name="BytesPerKey">Resident-set growth since the baseline, per key activated since then.</param>
public sealed record ScaleStage(int ActiveKeys, LatencyStats Cold, LatencyStats Warm, double WarmRps, long ResidentBytes, double BytesPerKey);

public sealed record ScaleResult(int KeysCreated, double CreateSeconds, IReadOnlyList<ScaleStage> Stages);

/// <summary>
/// Creates N keys through the admin API, restarts the gateway so that every key grain is cold, then
/// activates keys in growing stages (1 k, 10 k, 100 k … up to --scale-active), measuring each stage's
/// first-request latency, warm latency across all active keys, and the process's resident memory.
/// </summary>
public sealed class ScaleSuite(BenchOptions options, PeerLauncher launcher, HttpClient client)
{
    private const int Concurrency = 16;
    private const int BaselineKeys = 100;
    private const int WarmRequestsPerStage = 5000;

    public async Task<ScaleResult> RunAsync(RunningPeer upstream)
    {
        var data = Path.Combine(launcher.RunDirectory, "scale-data");
        var settings = new Dictionary<string, string>
        {
            ["Plans:Bench:RequestsPerMinute"] = "100000000",
            ["Plans:Bench:TokensPerMinute"] = "100000000000",
        };

        string[] keys;
        var created = System.Diagnostics.Stopwatch.StartNew();
        await using (var creator = await launcher.StartGatewayAsync(upstream, data, settings, "gateway-scale-create"))
        {
            var step = Math.Max(1, options.ScaleKeys / 10);
            keys = await new GatewayAdmin(client, creator.BaseUrl).ProvisionAsync(options.ScaleKeys, options.ScaleKeysPerAccount, "Bench", "scale", parallelism: 64,
                progress: done =>
                {
                    if (done % step == 0)
                    {
                        Console.WriteLine($"scale: {done} keys created ({done / created.Elapsed.TotalSeconds:0}/s)");
                    }
                });
        }

        var createSeconds = created.Elapsed.TotalSeconds;
        await using var gateway = await launcher.StartGatewayAsync(upstream, data, settings, "gateway-scale");
        var active = Math.Min(options.ScaleActive, keys.Length);
        var baselineKeys = Math.Min(BaselineKeys, active);
        var sender = new ClosedLoopSender(client);

        // JIT, connections and the first accounts warmed on a few keys that then belong to the baseline.
        await sender.RunAsync(gateway, keys, [.. Enumerable.Range(0, baselineKeys * 20).Select(i => i % baselineKeys)], Concurrency);
        var baseline = await SettledResidentBytes(gateway);

        var stages = new List<ScaleStage>();
        var activated = baselineKeys;
        var random = new Random(6);
        foreach (var target in StageSizes(active).Where(size => size > activated))
        {
            var (cold, _) = await sender.RunAsync(gateway, keys, [.. Enumerable.Range(activated, target - activated)], Concurrency);
            activated = target;
            var (warm, seconds) = await sender.RunAsync(gateway, keys, [.. Enumerable.Range(0, WarmRequestsPerStage).Select(_ => random.Next(activated))], Concurrency);
            var resident = await SettledResidentBytes(gateway);
            var stage = new ScaleStage(activated, LatencyStats.From(cold), LatencyStats.From(warm), warm.Length / seconds, resident,
                (double)(resident - baseline) / (activated - baselineKeys));
            stages.Add(stage);
            Console.WriteLine($"scale: {activated} active: cold p50 {stage.Cold.P50Ms:0.00} ms p99 {stage.Cold.P99Ms:0.00} ms, warm p99 {stage.Warm.P99Ms:0.00} ms, {stage.BytesPerKey:0} B/key");
        }

        return new ScaleResult(keys.Length, createSeconds, stages);
    }

    /// <summary>1 k, 10 k, 100 k … below <paramref name="active"/>, then <paramref name="active"/> itself.</summary>
    private static IEnumerable<int> StageSizes(int active)
    {
        for (var size = 1000; size < active; size *= 10)
        {
            yield return size;
        }

        yield return active;
    }

    /// <summary>Resident memory once the process has been idle a moment (background GC and write-behind settle).</summary>
    private static async Task<long> SettledResidentBytes(RunningPeer gateway)
    {
        await Task.Delay(TimeSpan.FromSeconds(3));
        return gateway.Main!.ResidentBytes();
    }
}
