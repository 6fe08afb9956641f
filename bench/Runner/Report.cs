using System.Text;

namespace DosAi.Orleans.Bench.Runner;

/// <summary>The results as one Markdown document: printed at the end of a run and saved in its run folder.</summary>
public sealed class Report(BenchOptions options, IReadOnlyList<(string Name, string Value)> machine)
{
    private readonly StringBuilder text = new();

    public void Header(DateTimeOffset started)
    {
        Line($"# DosAi.Orleans bench — {started:yyyy-MM-dd HH:mm} UTC{(options.Label is null ? "" : $" ({options.Label})")}");
        Line();
        Line($"Mode: {(options.Full ? "full" : "short")}. Machine:");
        Line();
        foreach (var (name, value) in machine)
        {
            Line($"- {name}: {value}");
        }

        foreach (var (key, value) in options.GatewaySettings)
        {
            Line($"- gateway setting: {key}={value}");
        }
    }

    public void Throughput(IReadOnlyList<ThroughputRow> rows)
    {
        if (rows.Count == 0)
        {
            return;
        }

        var rounds = rows[0].Rounds.Count;
        Line();
        Line("## Throughput and added latency");
        Line();
        Line($"Saturation: wrk -t{options.Threads} -c{options.Connections} for {options.Seconds} s after {options.WarmupSeconds} s warm-up, "
            + $"rotate-keys.lua over {options.Keys} keys. Latency: open-loop .NET sender at each fixed rate, lowest first, for {options.Seconds} s "
            + $"after {options.WarmupSeconds} s at that rate, the first one not before the peer has run {options.LeastUptimeSeconds} s "
            + $"(\"half\" is half the gateway's saturation rate), latency from dispatch to full response. "
            + (rounds > 1 ? $"{rounds} rounds, fresh processes each round; medians, with every round's value in brackets." : "One round."));
        Line();
        Line("| peer | req/s (saturation) | wrk p99 ms | non-2xx / socket errors |");
        Line("|---|---:|---:|---:|");
        foreach (var row in rows)
        {
            var saturation = row.Rounds.Select(round => round.Saturation).ToList();
            Line($"| {row.Peer} | {Spread(saturation.Select(s => s.RequestsPerSecond), "0")} | {Median(saturation.Select(s => s.P99Ms)):0.0} | "
                + $"{saturation.Sum(s => s.StatusErrors)} / {saturation.Sum(s => s.SocketErrors)} |");
        }

        Line();
        Line("| peer | rate req/s | p50 ms | p99 ms | p99.9 ms | non-2xx / failed | sender lag / own GC ms (max) | peer CPU (cores) |");
        Line("|---|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var row in rows)
        {
            foreach (var rate in row.Rounds[0].Latency.Select(run => run.Rate))
            {
                var runs = row.Rounds.Select(round => round.Latency.Single(run => run.Rate == rate)).ToList();
                Line($"| {row.Peer} | {rate} | {Median(runs.Select(r => r.Stats.P50Ms)):0.00} | {Spread(runs.Select(r => r.Stats.P99Ms), "0.00")} | "
                    + $"{Median(runs.Select(r => r.Stats.P999Ms)):0.00} | {runs.Sum(r => r.Stats.NotOk)} / {runs.Sum(r => r.Stats.Failed)} | {runs.Max(r => r.SenderLagMs):0.0} / {runs.Max(r => r.SenderGcMs):0.0} | "
                    + (runs.All(r => r.Cores is not null) ? Spread(runs.Select(r => r.Cores!.Value), "0.00") : "—") + " |");
            }
        }

        Line();
        var byName = rows.ToDictionary(row => row.Peer);
        Ratio(byName, "gateway", "bare-yarp", "gateway / bare YARP throughput (goal ≥ 0.80)");
        Ratio(byName, "gateway", "portkey", "gateway / Portkey throughput (goal ≥ 5)");
        if (byName.TryGetValue("gateway", out var gateway) && byName.TryGetValue("direct", out var direct))
        {
            foreach (var rate in gateway.Rounds[0].Latency.Select(run => run.Rate))
            {
                var added = gateway.Rounds.Zip(direct.Rounds, (g, d) =>
                    g.Latency.Single(run => run.Rate == rate).Stats.P99Ms - d.Latency.Single(run => run.Rate == rate).Stats.P99Ms);
                Line($"- gateway p99 − direct p99 at {rate} req/s (goal ≤ 1 ms): {Spread(added, "0.00")} ms");
            }
        }
    }

    public void Exactness(IReadOnlyList<ExactnessRow> rows)
    {
        if (rows.Count == 0)
        {
            return;
        }

        Line();
        Line("## Limiter exactness");
        Line();
        Line($"{options.ExactSeconds} s of over-limit load, limit {options.ExactLimit} requests/min per key. \"max ÷ limit\": most admissions "
            + "that provably fell in one 60-s window on any key (exact = 1.000). \"ideal\": what an exact sliding window deciding at send time admits.");
        Line();
        Line("| target | load | keys | max in 60 s ÷ limit | admitted | offered | ideal | errors |");
        Line("|---|---|---:|---:|---:|---:|---:|---:|");
        foreach (var row in rows)
        {
            Line($"| {row.Target} | {row.Load} | {row.Keys} | {(double)row.MaxInWindow / row.Limit:0.000} | {row.Admitted} | {row.Offered} | {row.Ideal} | {row.Errors} |");
        }
    }

    public void Scale(ScaleResult? result)
    {
        if (result is null)
        {
            return;
        }

        Line();
        Line("## Scale");
        Line();
        Line($"{result.KeysCreated} keys created through the admin API in {result.CreateSeconds:0} s ({result.KeysCreated / result.CreateSeconds:0} keys/s), "
            + "then the gateway restarted so every key grain is cold. Closed loop, 16 concurrent requests; memory is the process's resident set "
            + "growth per key activated (key grain, its window, Orleans catalog entries and the account grains they bring in).");
        Line();
        Line("| active keys | cold p50 ms | cold p99 ms | warm p50 ms | warm p99 ms | warm req/s | RSS MiB | bytes per active key | non-2xx / failed |");
        Line("|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var stage in result.Stages)
        {
            Line($"| {stage.ActiveKeys} | {stage.Cold.P50Ms:0.00} | {stage.Cold.P99Ms:0.00} | {stage.Warm.P50Ms:0.00} | {stage.Warm.P99Ms:0.00} | "
                + $"{stage.WarmRps:0} | {stage.ResidentBytes / 1024.0 / 1024:0} | {stage.BytesPerKey:0} | "
                + $"{stage.Cold.NotOk + stage.Warm.NotOk} / {stage.Cold.Failed + stage.Warm.Failed} |");
        }
    }

    public override string ToString() => text.ToString();

    /// <summary>Ratio within each round (same minutes, same machine state), then the median.</summary>
    private void Ratio(Dictionary<string, ThroughputRow> rows, string a, string b, string label)
    {
        if (rows.TryGetValue(a, out var first) && rows.TryGetValue(b, out var second))
        {
            Line($"- {label}: {Spread(first.Rounds.Zip(second.Rounds, (x, y) => x.Saturation.RequestsPerSecond / y.Saturation.RequestsPerSecond), "0.00")}");
        }
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length == 0 ? double.NaN
            : sorted.Length % 2 == 1 ? sorted[sorted.Length / 2]
            : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }

    /// <summary>The median, and every value in run order when there is more than one.</summary>
    private static string Spread(IEnumerable<double> values, string format)
    {
        var list = values.ToList();
        var median = Median(list).ToString(format, System.Globalization.CultureInfo.InvariantCulture);
        return list.Count == 1 ? median : $"{median} [{string.Join(", ", list.Select(v => v.ToString(format, System.Globalization.CultureInfo.InvariantCulture)))}]";
    }

    private void Line(string line = "") => text.Append(line).Append('\n');
}
