using System.Globalization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace DosAi.Orleans.Grains.Hosting;

/// <summary>
/// Checks a section of named entries (<c>Plans:&lt;Name&gt;:…</c>, <c>Pricing:Models:&lt;model&gt;:…</c>) as it is written.
/// The configuration binder skips an entry whose value does not convert and ignores a misspelt setting, leaving a
/// default where the operator meant something else (a plan's old limits, a model's price of zero): either stops the
/// node at start, naming the key.
/// </summary>
public sealed class NamedEntriesValidation<TOptions>(IConfigurationSection entries, IReadOnlyDictionary<string, NumberKind> settings)
    : IValidateOptions<TOptions> where TOptions : class
{
    private readonly string expected = string.Join(" or ", settings.Keys);

    public ValidateOptionsResult Validate(string? name, TOptions options)
    {
        var failures = new List<string>();
        foreach (var entry in entries.GetChildren())
        {
            var entrySettings = entry.GetChildren().ToList();
            if (entrySettings.Count == 0)
            {
                failures.Add($"{entry.Path} must be a section of {expected}, not a value.");
            }

            foreach (var setting in entrySettings)
            {
                if (!settings.TryGetValue(setting.Key, out var kind))
                {
                    failures.Add($"{setting.Path} is not a setting: expected {expected}.");
                }
                else if (!Parses(setting.Value, kind))
                {
                    failures.Add($"{setting.Path} must be {(kind == NumberKind.Whole ? "a whole number" : "a number")}, not '{setting.Value}'.");
                }
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static bool Parses(string? value, NumberKind kind) => kind == NumberKind.Whole
        ? long.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out _)
        : decimal.TryParse(value, NumberStyles.Number, CultureInfo.InvariantCulture, out _);
}

public enum NumberKind
{
    Whole,
    Decimal,
}
