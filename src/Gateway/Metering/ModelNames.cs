using System.Collections.Concurrent;

namespace DosAi.Orleans.Gateway.Metering;

/// <summary>
/// One shared string per model name. A request's model name travels with its charge into the account's
/// pending ledger, which holds it until the next ledger write: a fresh string per request was part of
/// what survived every gen0 GC and lengthened its pause. Bounded, since clients choose the names.
/// </summary>
public sealed class ModelNames(int capacity)
{
    /// <summary>Longer names are not shared: no model is named like that, so the next request will not reuse it.</summary>
    public const int LongestShared = 128;

    private readonly ConcurrentDictionary<string, string> names = new(StringComparer.Ordinal);
    private int stored; // ConcurrentDictionary.Count takes every lock: not on a request's path

    public static ModelNames Shared { get; } = new(1024);

    /// <summary>The shared instance equal to <paramref name="name"/>, or the name itself once the table is full.</summary>
    public string Share(string name)
    {
        if (names.TryGetValue(name, out var shared))
        {
            return shared;
        }

        if (name.Length > LongestShared || Volatile.Read(ref stored) >= capacity)
        {
            return name;
        }

        if (names.TryAdd(name, name))
        {
            Interlocked.Increment(ref stored);
            return name;
        }

        return names.TryGetValue(name, out shared) ? shared : name;
    }
}
