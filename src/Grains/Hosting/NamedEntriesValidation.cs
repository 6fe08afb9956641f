using Microsoft.Extensions.Options;

namespace DosAi.Orleans.Grains.Hosting;

/// <summary>Stops the node at start when a section of named entries holds a mistake (see <see cref="NamedEntries"/>).</summary>
public sealed class NamedEntriesValidation<TOptions>(NamedEntries entries) : IValidateOptions<TOptions> where TOptions : class
{
    public ValidateOptionsResult Validate(string? name, TOptions options) =>
        entries.Problems() is { Count: > 0 } problems ? ValidateOptionsResult.Fail(problems) : ValidateOptionsResult.Success;
}
