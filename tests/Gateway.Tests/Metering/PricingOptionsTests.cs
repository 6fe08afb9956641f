using DosAi.Orleans.Gateway.Hosting;
using DosAi.Orleans.Gateway.Metering;
using DosAi.Orleans.Grains.Interfaces.Accounts;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

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

    [Fact]
    public void A_cost_beyond_what_any_account_holds_is_that_most_not_an_overflow()
    {
        var pricey = new PricingOptions { Default = new ModelPrice { InputPerMillionTokens = 10_000m, OutputPerMillionTokens = 10_000m } };

        // A batch of 2^20 completions capped at int.MaxValue tokens each.
        Assert.Equal(Balances.MostMicros, pricey.CostMicros(null, 0, (long)int.MaxValue << 20));
    }

    [Fact]
    public void A_model_name_with_colons_is_priced_as_written_and_its_first_part_is_not_made_free()
    {
        // Ollama's names: the configuration path splits "llama3.1:8b" as it splits sections.
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Pricing:Models:llama3.1:8b:InputPerMillionTokens"] = "2",
            ["Pricing:Models:llama3.1:8b:OutputPerMillionTokens"] = "4",
            ["Pricing:Models:gpt-4o:InputPerMillionTokens"] = "2.5",
        }).Build();
        using var services = new ServiceCollection().AddGatewayOptions(configuration, hostsSilo: false).BuildServiceProvider();

        var pricing = services.GetRequiredService<IOptions<PricingOptions>>().Value;

        Assert.Equal(12 * 2 + 34 * 4, pricing.CostMicros("llama3.1:8b", 12, 34));
        Assert.Equal(57, pricing.CostMicros("llama3.1", 12, 34)); // the default price, not zero
        Assert.Equal(30, pricing.CostMicros("gpt-4o", 12, 34));   // an output price left out is zero
        Assert.Equal(["gpt-4o", "llama3.1:8b"], pricing.Models.Keys.Order());
    }
}
