namespace DosAi.Orleans.Bench.Runner;

public sealed record ExactnessRow(string Target, string Load, int Keys, int Limit, int MaxInWindow, long Admitted, long Offered, long Ideal, long Errors);

/// <summary>
/// Over-limit load on many keys, against the gateway and against nginx <c>limit_req</c> set to the same
/// per-minute limit (with the usual <c>burst=limit nodelay</c>, and without burst), all at once. Half the
/// keys get a steady 2× the limit, half get bursts of a whole limit every 0.35 window; the same load again on
/// the 2-node PostgreSQL cluster, each key's requests alternating between its two gateways. Runs shorter
/// than 60 s still check the invariant (nothing expires, so at most the limit may pass per key).
/// </summary>
public sealed class ExactnessSuite(BenchOptions options, PeerLauncher launcher, HttpClient client)
{
    public async Task<IReadOnlyList<ExactnessRow>> RunAsync(RunningPeer upstream)
    {
        var limit = options.ExactLimit;
        var plan = new Dictionary<string, string>
        {
            ["Plans:Exact:RequestsPerMinute"] = limit.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Plans:Exact:TokensPerMinute"] = "100000000000",
        };
        await using var gateway = await launcher.StartGatewayAsync(upstream, Path.Combine(launcher.RunDirectory, "exactness-data"), plan, "gateway-exactness");
        var keys = await new GatewayAdmin(client, gateway.BaseUrl).ProvisionAsync(options.ExactKeys, 10, "Exact", "exactness");
        var (nginxProcess, nginxUrls) = await launcher.StartNginxAsync(upstream, [($"{limit}r/m", limit), ($"{limit}r/m", 0)]);
        await using var nginx = new RunningPeer($"nginx burst={limit} nodelay", nginxUrls[0], new Dictionary<string, string>(), nginxProcess);
        var noBurst = new RunningPeer("nginx no burst", nginxUrls[1], new Dictionary<string, string>());
        var targets = new List<ExactTarget>
        {
            new("gateway (embedded)", _ => gateway, 0),
            new(nginx.Name, _ => nginx, 0),
            new(noBurst.Name, _ => noBurst, 0),
        };

        await using var cluster = await StartClusterAsync(upstream, plan);
        if (cluster is not null)
        {
            // Every key's requests alternate between the two gateways: the limit must hold across them.
            var clusterKeys = await new GatewayAdmin(client, cluster.GatewayUrls[0]).ProvisionAsync(options.ExactKeys, 10, "Exact", "exactness-cluster");
            RunningPeer[] gateways = [.. cluster.GatewayUrls.Select(url => new RunningPeer("cluster gateway", url, new Dictionary<string, string>()))];
            targets.Add(new("gateway (cluster: 2 silos, 2 gateways)", request => gateways[request % gateways.Length], keys.Length));
            keys = [.. keys, .. clusterKeys];
        }

        var schedule = Schedule(options.ExactKeys, targets.Count, limit, options.ExactSeconds);
        Console.WriteLine($"exactness: {schedule.Count} requests over {options.ExactSeconds} s on {options.ExactKeys} keys × {targets.Count} targets");
        var (exchanges, _, _) = await new OpenLoopSender(client).RunAsync(
            schedule.Select(s => s.At).ToArray(),
            i => (targets[schedule[i].Target].PeerFor(i), targets[schedule[i].Target].KeyOffset + schedule[i].Key),
            keys);

        var rows = new List<ExactnessRow>();
        for (var t = 0; t < targets.Count; t++)
        {
            foreach (var steady in new[] { true, false })
            {
                var perKey = Enumerable.Range(0, exchanges.Length)
                    .Where(i => schedule[i].Target == t && IsSteady(schedule[i].Key, options.ExactKeys) == steady)
                    .Select(i => exchanges[i])
                    .GroupBy(e => e.Key)
                    .Select(group => group.OrderBy(e => e.Sent).ToList())
                    .ToList();
                if (perKey.Count == 0)
                {
                    continue;
                }

                rows.Add(new ExactnessRow(
                    targets[t].Name,
                    steady ? "steady 2× limit" : "bursts of limit",
                    perKey.Count,
                    limit,
                    perKey.Max(key => WindowAudit.MaxInOneWindow(key.Where(e => e.Status == 200).ToList())),
                    perKey.Sum(key => key.Count(e => e.Status == 200)),
                    perKey.Sum(key => key.Count),
                    perKey.Sum(key => WindowAudit.IdealAdmitted(key.Select(e => e.Sent).ToList(), limit)),
                    perKey.Sum(key => key.Count(e => e.Status is not (200 or 429)))));
            }
        }

        return rows;
    }

    private async Task<LocalCluster?> StartClusterAsync(RunningPeer upstream, IReadOnlyDictionary<string, string> plan)
    {
        if (!options.ExactCluster)
        {
            return null;
        }

        if (!LocalCluster.Available(options.Root))
        {
            Console.WriteLine("exactness: no PostgreSQL (apt-get install postgresql), so no cluster run");
            return null;
        }

        Console.WriteLine("exactness: starting the 2-silo, 2-gateway cluster (deploy/local-cluster.sh)");
        return await LocalCluster.StartAsync(options.Root, launcher.RunDirectory, upstream.BaseUrl, plan);
    }

    private static bool IsSteady(int key, int keys) => key < keys / 2;

    /// <summary>
    /// Every target gets the same load on every key; keys are staggered within their half so they do not
    /// fire in step. Bursts come every 0.35 window, so in a 70-s run a burst lands 3 s after the first
    /// burst's admissions expired: exactly the limit must pass again.
    /// </summary>
    private sealed record ExactTarget(string Name, Func<int, RunningPeer> PeerFor, int KeyOffset);

    private static List<(TimeSpan At, int Target, int Key)> Schedule(int keys, int targets, int limit, int seconds)
    {
        var window = Math.Min(60.0, seconds);
        var steadyInterval = window / (2.0 * limit);
        var burstPeriod = window * 0.35;
        var half = keys / 2;
        var schedule = new List<(TimeSpan, int, int)>();
        for (var key = 0; key < keys; key++)
        {
            var steady = IsSteady(key, keys);
            var phase = steady ? (double)key / half : (double)(key - half) / (keys - half);
            var times = steady
                ? Enumerable.Range(0, int.MaxValue).Select(n => (phase + n) * steadyInterval).TakeWhile(t => t < seconds)
                : Enumerable.Range(0, int.MaxValue).Select(m => phase + m * burstPeriod).TakeWhile(t => t < seconds).SelectMany(t => Enumerable.Repeat(t, limit));
            foreach (var time in times)
            {
                for (var target = 0; target < targets; target++)
                {
                    schedule.Add((TimeSpan.FromSeconds(time), target, key));
                }
            }
        }

        schedule.Sort((a, b) => a.Item1.CompareTo(b.Item1));
        return schedule;
    }
}
