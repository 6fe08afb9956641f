using System.Diagnostics;
using System.Globalization;

namespace DosAi.Orleans.Bench.Runner;

public sealed record WrkResult(long Requests, double Seconds, long StatusErrors, long SocketErrors, double P99Ms)
{
    public double RequestsPerSecond => Requests / Seconds;
}

/// <summary>Closed-loop saturation with Debian's wrk and rotate-keys.lua; the script's <c>done()</c> prints one parsable line.</summary>
public static class Wrk
{
    public static async Task<WrkResult> RunAsync(RunningPeer peer, string keysFile, int threads, int connections, int seconds)
    {
        var info = new ProcessStartInfo("wrk") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in new[]
                 {
                     "-t", threads.ToString(CultureInfo.InvariantCulture),
                     "-c", connections.ToString(CultureInfo.InvariantCulture),
                     "-d", seconds.ToString(CultureInfo.InvariantCulture) + "s",
                     "--timeout", "10s",
                     "-s", Path.Combine(AppContext.BaseDirectory, "rotate-keys.lua"),
                     peer.CompletionsUrl, "--", keysFile,
                 })
        {
            info.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in peer.Headers)
        {
            info.ArgumentList.Add($"{name}: {value}");
        }

        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(seconds + 60));
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"wrk against {peer.Name} did not finish in time.");
        }

        var line = (await output).Split('\n').FirstOrDefault(l => l.StartsWith("WRK ", StringComparison.Ordinal))
            ?? throw new InvalidOperationException($"wrk against {peer.Name} printed no summary: {await errors}");
        var fields = line[4..].Split(' ', StringSplitOptions.RemoveEmptyEntries)
            .Select(field => field.Split('='))
            .ToDictionary(pair => pair[0], pair => double.Parse(pair[1], CultureInfo.InvariantCulture));
        return new WrkResult(
            (long)fields["requests"],
            fields["duration_us"] / 1e6,
            (long)fields["status_errors"],
            (long)fields["socket_errors"],
            fields["p99_us"] / 1000);
    }
}
