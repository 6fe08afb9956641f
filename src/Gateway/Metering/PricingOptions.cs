using DosAi.Orleans.Grains.Hosting;
using DosAi.Orleans.Grains.Interfaces.Accounts;

namespace DosAi.Orleans.Gateway.Metering;

/// <summary>
/// Configuration section <c>Pricing</c>: USD per million tokens, per model with a default. A price per
/// million tokens is exactly micro-USD per token, so a request costs
/// ⌈prompt × input + completion × output⌉ micro-USD: computed in decimal, rounded up once per request.
/// </summary>
public sealed class PricingOptions
{
    public const string Section = "Pricing";

    public ModelPrice Default { get; set; } = new() { InputPerMillionTokens = 0.50m, OutputPerMillionTokens = 1.50m };

    public Dictionary<string, ModelPrice> Models { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// The per-model prices as written, model names with colons included (<c>Pricing:Models:llama3.1:8b:…</c>), which
    /// the configuration binder would split into a model <c>llama3.1</c> priced at zero. A setting left out is zero.
    /// </summary>
    public static Dictionary<string, ModelPrice> ModelsFrom(NamedEntries entries)
    {
        var models = new Dictionary<string, ModelPrice>(StringComparer.OrdinalIgnoreCase);
        foreach (var setting in entries.Settings().Where(setting => setting.Entry.Length > 0))
        {
            var price = models.TryGetValue(setting.Entry, out var known) ? known : models[setting.Entry] = new ModelPrice();
            var number = NamedEntries.Number(setting.Value) ?? 0;
            if (setting.Name.Equals(nameof(ModelPrice.InputPerMillionTokens), StringComparison.OrdinalIgnoreCase))
            {
                price.InputPerMillionTokens = number;
            }
            else if (setting.Name.Equals(nameof(ModelPrice.OutputPerMillionTokens), StringComparison.OrdinalIgnoreCase))
            {
                price.OutputPerMillionTokens = number;
            }
        }

        return models;
    }

    public ModelPrice For(string? model) => model is not null && Models.TryGetValue(model, out var price) ? price : Default;

    /// <summary>
    /// A price per million tokens is micro-USD per token. At most <see cref="Balances.MostMicros"/>: an estimate for a
    /// batch of millions of capped completions at a high price once overflowed into a 500 (and no account holds more).
    /// </summary>
    public long CostMicros(string? model, long promptTokens, long completionTokens)
    {
        var price = For(model);
        var cost = decimal.Ceiling(promptTokens * price.InputPerMillionTokens + completionTokens * price.OutputPerMillionTokens);
        return cost >= Balances.MostMicros ? Balances.MostMicros : (long)cost;
    }
}

public sealed class ModelPrice
{
    public decimal InputPerMillionTokens { get; set; }

    public decimal OutputPerMillionTokens { get; set; }
}
