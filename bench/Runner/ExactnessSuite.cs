namespace DosAi.Orleans.Bench.Runner;

public sealed record ExactnessRow(string Target, string Load, int Keys, int Limit, int MaxInWindow, long Admitted, long Offered, long Ideal, long Errors);

/// <summary>
/// Over-limit load on many keys, against the gateway and against nginx <c>limit_req</c> set to the same
/// per-minute limit (with the usual <c>burst=limit nodelay</c>, and without burst), all at once. Half the
/// keys get a steady 2× the limit, half get bursts of a whole limit every 0.35 window. Runs shorter
/// than 60 s still check the invariant (nothing expires, so at most the limit may pass per key).
/// </summary>
public sealed class ExactnessSuite(BenchOptions options, PeerLauncher launcher, HttpClient client)
{
    public async Task<IReadOnlyList<ExactnessRow>> RunAsync(RunningPeer upstream)
    {
        var limit = options.ExactLimit;
        await using var gateway = await launcher.StartGatewayAsync(upstream, Path.Combine(launcher.RunDirectory, "exactness-data"),
            new Dictionary<string, string>
            {
                ["Plans:Exact:RequestsPerMinute"] = limit.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["Plans:Exact:TokensPerMinute"] = "100000000000",
            }, "gateway-exactness");
        var keys = await new GatewayAdmin(client, gateway.BaseUrl).ProvisionAsync(options.ExactKeys, 10, "Exact", "exactness");
        var (nginxProcess, nginxUrls) = await launcher.StartNginxAsync(upstream, [($"{limit}r/m", limit), ($"{limit}r/m", 0)]);
        await using var nginx = new RunningPeer($"nginx burst={limit} nodelay", nginxUrls[0], new Dictionary<string, string>(), nginxProcess);
        RunningPeer[] targets = [gateway, nginx, new RunningPeer("nginx no burst", nginxUrls[1], new Dictionary<string, string>())];
        string[] names = ["gateway", nginx.Name, "nginx no burst"];

        var schedule = Schedule(keys.Length, targets.Length, limit, options.ExactSeconds);
        Console.WriteLine($"exactness: {schedule.Count} requests over {options.ExactSeconds} s on {keys.Length} keys × {targets.Length} targets");
        var (exchanges, _) = await new OpenLoopSender(client).RunAsync(
            schedule.Select(s => s.At).ToArray(), i => (targets[schedule[i].Target], schedule[i].Key), keys);

        var rows = new List<ExactnessRow>();
        for (var t = 0; t < targets.Length; t++)
        {
            foreach (var steady in new[] { true, false })
            {
                var perKey = Enumerable.Range(0, exchanges.Length)
                    .Where(i => schedule[i].Target == t && IsSteady(schedule[i].Key, keys.Length) == steady)
                    .Select(i => exchanges[i])
                    .GroupBy(e => e.Key)
                    .Select(group => group.OrderBy(e => e.Sent).ToList())
                    .ToList();
                if (perKey.Count == 0)
                {
                    continue;
                }

                rows.Add(new ExactnessRow(
                    names[t],
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

    private static bool IsSteady(int key, int keys) => key < keys / 2;

    /// <summary>
    /// Every target gets the same load on every key; keys are staggered within their half so they do not
    /// fire in step. Bursts come every 0.35 window, so in a 70-s run a burst lands 3 s after the first
    /// burst's admissions expired: exactly the limit must pass again.
    /// </summary>
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
