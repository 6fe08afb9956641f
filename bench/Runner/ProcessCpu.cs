using System.Globalization;

namespace DosAi.Orleans.Bench.Runner;

/// <summary>
/// CPU time a process and its live descendants (nginx's workers) have used, from Linux's /proc. Cores used
/// at a fixed rate say what a peer costs per request far more steadily than saturation does on a shared
/// two-core machine, where every peer competes with the load generator and the upstream.
/// </summary>
public static class ProcessCpu
{
    private const double TicksPerSecond = 100; // USER_HZ on Linux

    public static TimeSpan? Used(int rootId)
    {
        if (!OperatingSystem.IsLinux())
        {
            return null;
        }

        var parents = new Dictionary<int, int>();
        var ticks = new Dictionary<int, long>();
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(directory), out var id) && ReadStat(directory) is { } stat)
            {
                parents[id] = stat.Parent;
                ticks[id] = stat.Ticks;
            }
        }

        if (!ticks.ContainsKey(rootId))
        {
            return null;
        }

        var total = ticks.Where(entry => DescendsFrom(entry.Key, rootId, parents)).Sum(entry => entry.Value);
        return TimeSpan.FromSeconds(total / TicksPerSecond);
    }

    private static bool DescendsFrom(int id, int rootId, Dictionary<int, int> parents)
    {
        for (var hops = 0; hops < 64; hops++)
        {
            if (id == rootId)
            {
                return true;
            }

            if (!parents.TryGetValue(id, out id) || id <= 1)
            {
                return false;
            }
        }

        return false;
    }

    private static (int Parent, long Ticks)? ReadStat(string directory)
    {
        try
        {
            // Fields after the command name, which is in parentheses and may contain spaces.
            var text = File.ReadAllText(Path.Combine(directory, "stat"));
            var fields = text[(text.LastIndexOf(')') + 2)..].Split(' ');
            return (int.Parse(fields[1], CultureInfo.InvariantCulture),
                long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture));
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            return null; // the process ended while we looked
        }
    }
}
