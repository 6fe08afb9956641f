using System.Globalization;
using DosAi.Orleans.Bench.Runner;

CultureInfo.DefaultThreadCurrentCulture = CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
var options = BenchOptions.Parse(args);
var started = DateTimeOffset.UtcNow;
var runDirectory = Path.Combine(options.Root, "bench", ".runs", $"{started:yyyyMMdd-HHmmss}{(options.Smoke ? "-smoke" : "")}");
Directory.CreateDirectory(runDirectory);
Console.WriteLine($"bench: logs and results in {runDirectory}");

using var client = BenchHttpClient.Create();
var launcher = new PeerLauncher(options, runDirectory, client);

if (options.Smoke)
{
    // A hard ceiling so CI can never hang here; exiting runs the handler that kills every child process.
    var smoke = Smoke.RunAsync(launcher, client);
    if (await Task.WhenAny(smoke, Task.Delay(TimeSpan.FromSeconds(120))) != smoke)
    {
        Console.Error.WriteLine("smoke: timed out after 120 s");
        return 2;
    }

    return await smoke;
}

var report = new Report(options, MachineInfo.Collect(options));
report.Header(started);
await using (var upstream = await launcher.StartUpstreamAsync())
{
    if (options.Suites.Contains("throughput"))
    {
        report.Throughput(await new ThroughputSuite(options, launcher, client).RunAsync(upstream));
    }

    if (options.Suites.Contains("exactness"))
    {
        report.Exactness(await new ExactnessSuite(options, launcher, client).RunAsync(upstream));
    }

    if (options.Suites.Contains("scale"))
    {
        report.Scale(await new ScaleSuite(options, launcher, client).RunAsync(upstream));
    }
}

var output = options.Output ?? Path.Combine(runDirectory, "results.md");
await File.WriteAllTextAsync(output, report.ToString());
Console.WriteLine();
Console.WriteLine(report);
Console.WriteLine($"(saved to {output})");
return 0;
