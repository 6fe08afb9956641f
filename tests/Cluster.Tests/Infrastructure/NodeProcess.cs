using System.Collections.Concurrent;
using System.Diagnostics;

namespace DosAi.Orleans.Cluster.Tests.Infrastructure;

/// <summary>
/// A silo or gateway of this repository running as a real <c>dotnet</c> process, built by the same
/// <c>dotnet test</c> (the test project references both projects for build order only).
/// </summary>
public sealed class NodeProcess : IAsyncDisposable
{
    private readonly Process process;
    private readonly ConcurrentQueue<string> output = new();

    private NodeProcess(string name, Process process)
    {
        Name = name;
        this.process = process;
        process.OutputDataReceived += (_, line) => Keep(line.Data);
        process.ErrorDataReceived += (_, line) => Keep(line.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public string Name { get; }

    public bool HasExited => process.HasExited;

    /// <summary>The last lines the process wrote, for failure messages.</summary>
    public string Tail => $"--- {Name} ---\n" + string.Join('\n', output.TakeLast(40));

    public static NodeProcess Start(string name, string project, IReadOnlyDictionary<string, string> environment, params string[] arguments)
    {
        var assembly = Path.Combine(BuildOutput(project), $"DosAi.Orleans.{project}.dll");
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = Path.GetDirectoryName(assembly)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.ArgumentList.Add(assembly);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["DOTNET_ENVIRONMENT"] = "Production";
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        return new NodeProcess(name, Process.Start(start)!);
    }

    /// <summary>SIGKILL: no graceful shutdown, no last write-behind.</summary>
    public void KillHard() => process.Kill(entireProcessTree: true);

    public async ValueTask DisposeAsync()
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }

        process.Dispose();
    }

    private void Keep(string? line)
    {
        if (line is null)
        {
            return;
        }

        output.Enqueue(line);
        while (output.Count > 200)
        {
            output.TryDequeue(out _);
        }
    }

    /// <summary>src/&lt;project&gt;/bin/&lt;Configuration&gt;/&lt;tfm&gt;, matching this test assembly's own build.</summary>
    private static string BuildOutput(string project)
    {
        var testOutput = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var framework = testOutput.Name;
        var configuration = testOutput.Parent!.Name;
        var root = testOutput;
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "DosAi.Orleans.sln")))
        {
            root = root.Parent;
        }

        var directory = Path.Combine(root?.FullName ?? throw new InvalidOperationException("Repository root not found."), "src", project, "bin", configuration, framework);
        return Directory.Exists(directory) ? directory : throw new InvalidOperationException($"{directory} is missing: build the solution first.");
    }
}
