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

    public static ModelNames Shared { get; } = new(1024);

    /// <summary>The shared instance equal to <paramref name="name"/>, or the name itself once the table is full.</summary>
    public string Share(string name)
    {
        if (names.TryGetValue(name, out var shared))
        {
            return shared;
        }

        return names.Count < capacity && name.Length <= LongestShared ? names.GetOrAdd(name, name) : name;
    }
}
