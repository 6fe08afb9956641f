using System.Globalization;

namespace DosAi.Orleans.Bench.Runner;

/// <summary>
/// Command-line options. Defaults are the short run (minutes on a laptop); <c>--full</c> switches to
/// the documented full run; any option given explicitly wins over both.
/// </summary>
public sealed record BenchOptions
{
    public required string Root { get; init; }
    public required string Tools { get; init; }
    public required string Configuration { get; init; }
    public bool Smoke { get; init; }
    public bool Full { get; init; }
    public required IReadOnlySet<string> Suites { get; init; }
    public required IReadOnlyList<string> Peers { get; init; }
    public int Seconds { get; init; }
    public int WarmupSeconds { get; init; }
    public int LeastUptimeSeconds { get; init; }
    public int Connections { get; init; }
    public int Threads { get; init; }
    /// <summary>Fixed rates for the latency runs: numbers, or "half" (of the gateway's saturation rate).</summary>
    public required IReadOnlyList<string> Rates { get; init; }
    public int Rounds { get; init; }
    public int Keys { get; init; }
    public int KeysPerAccount { get; init; }
    public int ExactSeconds { get; init; }
    public int ExactKeys { get; init; }
    public int ExactLimit { get; init; }

    /// <summary>Also run the exactness load on the 2-node PostgreSQL cluster (skipped when PostgreSQL is missing).</summary>
    public bool ExactCluster { get; init; }
    public int ScaleKeys { get; init; }
    public int ScaleActive { get; init; }
    public int ScaleKeysPerAccount { get; init; }
    public string? Output { get; init; }
    public string? Label { get; init; }

    /// <summary>Extra gateway configuration for experiments, e.g. <c>Persistence:WriteBehindInterval=00:00:30</c>.</summary>
    public required IReadOnlyDictionary<string, string> GatewaySettings { get; init; }

    public static BenchOptions Parse(string[] args)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        var flags = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < args.Length; i++)
        {
            var name = args[i];
            if (!name.StartsWith("--", StringComparison.Ordinal))
            {
                throw new ArgumentException($"Unexpected argument '{name}'.");
            }

            if (name is "--smoke" or "--full")
            {
                flags.Add(name);
            }
            else if (i + 1 < args.Length)
            {
                values[name] = args[++i];
            }
            else
            {
                throw new ArgumentException($"Option '{name}' needs a value.");
            }
        }

        var full = flags.Contains("--full");
        int Int(string name, int quick, int complete) =>
            values.Remove(name, out var text) ? int.Parse(text, CultureInfo.InvariantCulture) : full ? complete : quick;

        var options = new BenchOptions
        {
            Root = Required(values, "--root"),
            Tools = Required(values, "--tools"),
            Configuration = values.Remove("--configuration", out var configuration) ? configuration : "Release",
            Smoke = flags.Contains("--smoke"),
            Full = full,
            Suites = values.Remove("--only", out var only) ? List(only).ToHashSet() : new HashSet<string> { "throughput", "exactness", "scale" },
            Peers = values.Remove("--peers", out var peers) ? List(peers) : ["gateway", "direct", "bare-yarp", "nginx", "portkey"],
            Seconds = Int("--seconds", 10, 30),
            // A peer just driven to saturation takes seconds to settle (bench/README.md, tenth session).
            WarmupSeconds = Int("--warmup", 10, 10),
            // Tier-up of code called about once a second lasts minutes (bench/README.md, sixteenth session).
            LeastUptimeSeconds = Int("--least-uptime", 180, 180),
            Connections = Int("--connections", 64, 64),
            Threads = Int("--threads", 2, 2),
            Rates = values.Remove("--rates", out var rates) ? List(rates)
                : values.Remove("--rate", out var rate) ? [rate]
                : ["half", "2000"],
            Rounds = Int("--rounds", 1, 3),
            Keys = Int("--keys", 2000, 5000),
            KeysPerAccount = Int("--keys-per-account", 10, 10),
            ExactSeconds = Int("--exact-seconds", 15, 70),
            ExactKeys = Int("--exact-keys", 40, 200),
            ExactLimit = Int("--exact-limit", 30, 30),
            ExactCluster = !values.Remove("--exact-cluster", out var exactCluster) || exactCluster is not ("no" or "false"),
            ScaleKeys = Int("--scale-keys", 10_000, 1_000_000),
            ScaleActive = Int("--scale-active", 5_000, 100_000),
            ScaleKeysPerAccount = Int("--scale-keys-per-account", 100, 100),
            Output = values.Remove("--out", out var output) ? output : null,
            Label = values.Remove("--label", out var label) ? label : null,
            GatewaySettings = values.Remove("--gateway-settings", out var settings)
                ? List(settings).Select(pair => pair.Split('=', 2)).ToDictionary(pair => pair[0], pair => pair[1])
                : new Dictionary<string, string>(),
        };
        if (values.Count > 0)
        {
            throw new ArgumentException($"Unknown option(s): {string.Join(", ", values.Keys)}.");
        }

        return options;
    }

    private static string Required(Dictionary<string, string> values, string name) =>
        values.Remove(name, out var value) ? value : throw new ArgumentException($"Option '{name}' is required.");

    private static List<string> List(string text) =>
        [.. text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)];
}
