using System.Globalization;
using DosAi.Orleans.Bench.GcPauses;
using DosAi.Orleans.Bench.Runner;

// Usage: GcPauses <trace.nettrace> [latency.csv]
// Lists each pause (GCs and other runtime suspensions) of a traced peer; with a bench latency CSV, also how much of the peer's p99 the
// requests in flight during a pause account for.
if (args.Length is < 1 or > 2)
{
    Console.Error.WriteLine("usage: dotnet bench/GcPauses/bin/Release/net10.0/DosAi.Orleans.Bench.GcPauses.dll <trace.nettrace> [latency.csv]");
    return 2;
}

var pauses = GcTraceReader.Read(args[0]);
var culture = CultureInfo.InvariantCulture;
Console.WriteLine("| start (UTC) | pause ms | kind | promoted MB | suspending ms | mark: stacks | handles | cards (older objects) | other roots | after mark ms |");
Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
foreach (var pause in pauses)
{
    Console.WriteLine(string.Create(culture,
        $"| {pause.StartUtc:HH:mm:ss.fff} | {pause.PauseMs:0.00} | {pause.Kind} | {pause.PromotedMB:0.0} | {pause.SuspendMs:0.00} | {pause.StacksMs:0.00} | {pause.HandlesMs:0.00} | {pause.CardMarkingMs:0.00} | {pause.OtherRootsMs:0.00} | {pause.AfterMarkMs:0.00} |"));
}

var gen0 = pauses.Where(pause => pause.Kind == "gen0").ToList();
if (gen0.Count != 0)
{
    double Median(Func<GcPause, double> part) => LatencyStats.NearestRank([.. gen0.Select(part).Order()], 0.5);
    Console.WriteLine();
    Console.WriteLine(string.Create(culture,
        $"{gen0.Count} gen0 pauses, medians: pause {Median(pause => pause.PauseMs):0.00} ms, suspending {Median(pause => pause.SuspendMs):0.00}, stacks {Median(pause => pause.StacksMs):0.00}, handles {Median(pause => pause.HandlesMs):0.00}, cards {Median(pause => pause.CardMarkingMs):0.00}, after mark {Median(pause => pause.AfterMarkMs):0.00}"));
}

if (args.Length == 2)
{
    var requests = LatencyLog.Read(args[1]).Where(request => request.Answered).ToList();
    var from = requests.Min(request => request.SentUtc);
    var to = requests.Max(request => request.AnsweredUtc);
    var during = pauses.Where(pause => pause.Overlaps(from, to)).ToList();
    bool InPause(LoggedRequest request) => during.Any(pause => pause.Overlaps(request.SentUtc, request.AnsweredUtc));

    var p99 = Percentile99(requests);
    var slowest = requests.Where(request => request.LatencyMs >= p99).ToList();
    var calm = requests.Where(request => !InPause(request));
    Console.WriteLine();
    Console.WriteLine(string.Create(culture,
        $"{requests.Count} requests, {during.Count} pauses while they ran (longest {(during.Count == 0 ? 0 : during.Max(pause => pause.PauseMs)):0.00} ms)"));
    Console.WriteLine(string.Create(culture,
        $"p99 {p99:0.00} ms; of the slowest 1% ({slowest.Count}), {slowest.Count(InPause)} were in flight during a pause; p99 of the others {Percentile99(calm):0.00} ms"));
}

return 0;

static double Percentile99(IEnumerable<LoggedRequest> requests) =>
    LatencyStats.NearestRank([.. requests.Select(request => request.LatencyMs).Order()], 0.99);
