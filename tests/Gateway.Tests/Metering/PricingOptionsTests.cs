using DosAi.Orleans.Gateway.Metering;

namespace DosAi.Orleans.Gateway.Tests.Metering;

public sealed class PricingOptionsTests
{
    private static readonly PricingOptions Pricing = new()
    {
        Default = new ModelPrice { InputPerMillionTokens = 0.50m, OutputPerMillionTokens = 1.50m },
        Models =
        {
            ["big-model"] = new ModelPrice { InputPerMillionTokens = 2.50m, OutputPerMillionTokens = 10m },
            ["cheap-model"] = new ModelPrice { InputPerMillionTokens = 0.075m, OutputPerMillionTokens = 0.3m },
        },
    };

    [Theory]
    [InlineData(null, 12, 34, 57)]              // 6 + 51
    [InlineData("unknown", 1, 0, 1)]            // 0.5 rounds up
    [InlineData("unknown", 0, 0, 0)]
    [InlineData("unknown", 3, 1, 3)]            // 1.5 + 1.5 = 3 exactly
    [InlineData("BIG-MODEL", 1000, 500, 7500)]  // model names are case-insensitive
    [InlineData("cheap-model", 1, 1, 1)]        // 0.375 rounds up once per request
    [InlineData("cheap-model", 40, 10, 6)]      // 3 + 3
    [InlineData("cheap-model", 41, 10, 7)]      // 3.075 + 3 → 7
    [InlineData("big-model", 1_000_000, 1_000_000, 12_500_000)]
    public void Charges_are_exact_integer_micro_usd_rounded_up_once_per_request(string? model, long prompt, long completion, long expected) =>
        Assert.Equal(expected, Pricing.CostMicros(model, prompt, completion));
}
