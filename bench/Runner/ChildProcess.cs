using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.InteropServices;

namespace DosAi.Orleans.Bench.Runner;

/// <summary>
/// A server the bench started: output goes to a log file (a full pipe would stall it), and it is
/// always stopped — on dispose, on SIGTERM/SIGINT/SIGHUP and when the runner exits — so no run leaves one behind.
/// </summary>
public sealed class ChildProcess : IAsyncDisposable
{
    private const int SigTerm = 15;
    private static readonly ConcurrentDictionary<ChildProcess, bool> Running = new();

    // Kept in a field: the registrations live as long as the runner. The default action (exit) still follows.
    private static readonly PosixSignalRegistration[] Signals =
    [
        PosixSignalRegistration.Create(PosixSignal.SIGTERM, _ => KillAll()),
        PosixSignalRegistration.Create(PosixSignal.SIGINT, _ => KillAll()),
        PosixSignalRegistration.Create(PosixSignal.SIGHUP, _ => KillAll()),
    ];

    private readonly Process process;
    private readonly StreamWriter log;
    private volatile bool reportedAddressInUse;

    static ChildProcess() => AppDomain.CurrentDomain.ProcessExit += (_, _) => KillAll();

    private ChildProcess(string name, Process process, StreamWriter log)
    {
        Name = name;
        this.process = process;
        this.log = log;
    }

    public string Name { get; }

    public int Id => process.Id;

    public static ChildProcess Start(string name, string fileName, IEnumerable<string> arguments, string logDirectory,
        string? workingDirectory = null, IReadOnlyDictionary<string, string>? environment = null)
    {
        var info = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
        };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[key] = value;
        }

        var log = new StreamWriter(Path.Combine(logDirectory, name + ".log"), append: true) { AutoFlush = true };
        var process = new Process { StartInfo = info };
        var child = new ChildProcess(name, process, log);
        process.OutputDataReceived += (_, e) => child.Write(e.Data);
        process.ErrorDataReceived += (_, e) => child.Write(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        Running[child] = true;
        return child;
    }

    /// <summary>Waits until <paramref name="url"/> answers at all (any status), or fails after <paramref name="timeout"/>.</summary>
    public async Task WaitReadyAsync(HttpClient client, string url, TimeSpan timeout)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
        while (Stopwatch.GetTimestamp() < deadline)
        {
            if (process.HasExited)
            {
                process.WaitForExit(); // the rest of its output, so that a bind failure is seen
                var message = $"{Name} exited with code {process.ExitCode} before it was ready; see its log.";
                throw reportedAddressInUse ? new PortTakenException(message) : new InvalidOperationException(message);
            }

            try
            {
                using var probe = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                using var response = await client.GetAsync(url, probe.Token);
                return;
            }
            catch (Exception e) when (e is HttpRequestException or OperationCanceledException)
            {
                await Task.Delay(200);
            }
        }

        throw new TimeoutException($"{Name} did not answer {url} within {timeout.TotalSeconds:0} s.");
    }

    /// <summary>Resident set size, from /proc (Linux only).</summary>
    public long ResidentBytes()
    {
        foreach (var line in File.ReadLines($"/proc/{process.Id}/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                return long.Parse(line["VmRSS:".Length..].Trim().Split(' ')[0]) * 1024;
            }
        }

        return 0;
    }

    /// <summary>SIGTERM (graceful: the gateway flushes its write-behind), then a hard kill of the whole tree after the grace period.</summary>
    public async ValueTask DisposeAsync()
    {
        if (!process.HasExited)
        {
            _ = Kill(process.Id, SigTerm);
            using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(15));
            try
            {
                await process.WaitForExitAsync(grace.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync();
            }
        }

        Running.TryRemove(this, out _);
        process.Dispose();
        await log.DisposeAsync();
    }

    private static void KillAll()
    {
        foreach (var child in Running.Keys)
        {
            try
            {
                child.process.Kill(entireProcessTree: true);
            }
            catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception)
            {
                // Already gone.
            }
        }
    }

    private void Write(string? line)
    {
        if (line is null)
        {
            return;
        }

        if (line.Contains("address already in use", StringComparison.OrdinalIgnoreCase))
        {
            reportedAddressInUse = true;
        }

        lock (log)
        {
            log.WriteLine(line);
        }
    }

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);
}
