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

    public ModelPrice For(string? model) => model is not null && Models.TryGetValue(model, out var price) ? price : Default;

    public long CostMicros(string? model, long promptTokens, long completionTokens)
    {
        var price = For(model);
        return (long)decimal.Ceiling(promptTokens * price.InputPerMillionTokens + completionTokens * price.OutputPerMillionTokens);
    }
}

public sealed class ModelPrice
{
    public decimal InputPerMillionTokens { get; set; }

    public decimal OutputPerMillionTokens { get; set; }
}
