using System.Globalization;
using Microsoft.Extensions.Configuration;

namespace DosAi.Orleans.Grains.Hosting;

/// <summary>
/// A configuration section of named entries with numeric settings (<c>Plans:&lt;Name&gt;:…</c>,
/// <c>Pricing:Models:&lt;model&gt;:…</c>), read as written. The last segment of a path is the setting and the rest
/// the entry's name, so a name may hold the colons configuration paths split on (Ollama's <c>llama3.1:8b</c>).
/// The configuration binder instead skips an entry whose value does not convert, ignores a misspelt setting and
/// splits such a name, leaving a default where the operator meant something else.
/// </summary>
public sealed class NamedEntries(IConfigurationSection section, IReadOnlyDictionary<string, NumberKind> settings)
{
    public readonly record struct Setting(string Entry, string Name, string Path, string? Value);

    public IEnumerable<Setting> Settings() =>
        section.AsEnumerable(makePathsRelative: true)
            .Where(pair => pair.Value is not null)
            .Select(pair =>
            {
                var cut = pair.Key.LastIndexOf(ConfigurationPath.KeyDelimiter, StringComparison.Ordinal);
                return new Setting(cut < 0 ? "" : pair.Key[..cut], pair.Key[(cut + 1)..], ConfigurationPath.Combine(section.Path, pair.Key), pair.Value);
            });

    /// <summary>Every mistake, naming its key; empty when each setting is known and its value a number of its kind.</summary>
    public IReadOnlyList<string> Problems()
    {
        var expected = string.Join(" or ", settings.Keys);
        var problems = new List<string>();
        foreach (var setting in Settings())
        {
            if (setting.Entry.Length == 0)
            {
                problems.Add($"{setting.Path} must be a section of {expected}, not a value.");
            }
            else if (!settings.TryGetValue(setting.Name, out var kind))
            {
                problems.Add($"{setting.Path} is not a setting: expected {expected}.");
            }
            else if (!Parses(setting.Value, kind))
            {
                problems.Add($"{setting.Path} must be {(kind == NumberKind.Whole ? "a whole number" : "a number")}, not '{setting.Value}'.");
            }
        }

        return problems;
    }

    public static decimal? Number(string? value) =>
        decimal.TryParse(value, NumberStyles.Number, CultureInfo.InvariantCulture, out var number) ? number : null;

    private static bool Parses(string? value, NumberKind kind) => kind == NumberKind.Whole
        ? long.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out _)
        : Number(value) is not null;
}

public enum NumberKind
{
    Whole,
    Decimal,
}
