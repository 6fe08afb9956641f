using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text.Json.Nodes;

namespace DosAi.Orleans.Bench.Runner;

/// <summary>What a reader needs to judge the numbers: hardware, load at the start, versions of every peer and of the code.</summary>
public static class MachineInfo
{
    public static IReadOnlyList<(string Name, string Value)> Collect(BenchOptions options) =>
    [
        ("cpu", $"{FirstValue("/proc/cpuinfo", "model name")} × {Environment.ProcessorCount}"),
        ("memory", $"{long.Parse(FirstValue("/proc/meminfo", "MemTotal").Split(' ')[0]) / 1024 / 1024} GiB"),
        ("load average at start", Read("/proc/loadavg").Split(' ').Take(3).Aggregate((a, b) => $"{a} {b}")),
        ("os", RuntimeInformation.OSDescription),
        (".NET", RuntimeInformation.FrameworkDescription),
        ("gateway commit", Run("git", "-C", options.Root, "describe", "--always", "--dirty")),
        ("nginx", Run(File.Exists("/usr/sbin/nginx") ? "/usr/sbin/nginx" : "nginx", "-v")),
        ("wrk", Run("wrk", "-v").Split('\n')[0]),
        ("node", Run("node", "--version")),
        ("portkey", PortkeyVersion(options)),
    ];

    private static string FirstValue(string file, string name) =>
        File.ReadLines(file).FirstOrDefault(line => line.StartsWith(name, StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? "?";

    private static string Read(string file) => File.Exists(file) ? File.ReadAllText(file).Trim() : "?";

    private static string PortkeyVersion(BenchOptions options)
    {
        var package = Path.Combine(options.Tools, "portkey/node_modules/@portkey-ai/gateway/package.json");
        return File.Exists(package) ? JsonNode.Parse(File.ReadAllText(package))?["version"]?.GetValue<string>() ?? "?" : "not installed";
    }

    /// <summary>A tool's version line (some print it on stderr); "not installed" when it cannot run.</summary>
    private static string Run(string fileName, params string[] arguments)
    {
        try
        {
            var info = new ProcessStartInfo(fileName, arguments) { RedirectStandardOutput = true, RedirectStandardError = true };
            using var process = Process.Start(info)!;
            var output = process.StandardOutput.ReadToEndAsync();
            var error = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(TimeSpan.FromSeconds(10)))
            {
                process.Kill();
            }

            var text = output.Result.Trim();
            return text.Length > 0 ? text : error.Result.Trim();
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return "not installed";
        }
    }
}
