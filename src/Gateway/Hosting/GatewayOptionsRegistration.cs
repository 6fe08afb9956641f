using DosAi.Orleans.Gateway.Admission;
using DosAi.Orleans.Gateway.Api;
using DosAi.Orleans.Gateway.Metering;
using DosAi.Orleans.Gateway.Proxy;
using DosAi.Orleans.Grains.Accounts;
using DosAi.Orleans.Grains.Hosting;
using Microsoft.Extensions.Options;

namespace DosAi.Orleans.Gateway.Hosting;

/// <summary>
/// The gateway's configuration sections, checked when the node starts: a misconfiguration stops it with the key
/// to fix instead of surfacing as failed requests (a negative price would even pay customers for their usage).
/// </summary>
public static class GatewayOptionsRegistration
{
    public static IServiceCollection AddGatewayOptions(this IServiceCollection services, IConfiguration configuration, bool hostsSilo)
    {
        services.AddOptions<UpstreamOptions>()
            .Bind(configuration.GetSection(UpstreamOptions.Section))
            .Validate(options => options.BaseUrl is { IsAbsoluteUri: true, Scheme: "http" or "https" },
                "Upstream:BaseUrl must be an absolute http:// or https:// URL, e.g. http://127.0.0.1:8000.")
            .Validate(options => options.Timeout > TimeSpan.Zero, "Upstream:Timeout must be longer than zero.")
            .Validate(options => options.AllowedPaths.All(entry => AllowedUpstreamPaths.Parse(entry) is not null),
                "Upstream:AllowedPaths must be rules [METHOD ]/v1/path[/*], e.g. \"POST /v1/chat/completions\" or \"GET /v1/models/*\".")
            .ValidateOnStart();
        services.AddOptions<GatewayLimitsOptions>()
            .Bind(configuration.GetSection(GatewayLimitsOptions.Section))
            .Validate(options => options.DefaultCompletionTokens >= 0, "Limits:DefaultCompletionTokens must be zero or more.")
            .Validate(options => options.MaxRequestBodyBytes > 0, "Limits:MaxRequestBodyBytes must be more than zero.")
            .ValidateOnStart();
        var modelPrices = new NamedEntries(
            configuration.GetSection($"{PricingOptions.Section}:{nameof(PricingOptions.Models)}"),
            new Dictionary<string, NumberKind>(StringComparer.OrdinalIgnoreCase)
            {
                [nameof(ModelPrice.InputPerMillionTokens)] = NumberKind.Decimal,
                [nameof(ModelPrice.OutputPerMillionTokens)] = NumberKind.Decimal,
            });
        services.AddOptions<PricingOptions>()
            .Bind(configuration.GetSection(PricingOptions.Section))
            .Configure(options => options.Models = PricingOptions.ModelsFrom(modelPrices))
            .Validate(options => options.Models.Values.Append(options.Default).All(price => price.InputPerMillionTokens >= 0 && price.OutputPerMillionTokens >= 0),
                "Prices (Pricing:Default:… and Pricing:Models:<model>:…) must be zero or more.")
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<PricingOptions>>(new NamedEntriesValidation<PricingOptions>(modelPrices));
        var signup = services.AddOptions<SignupOptions>()
            .Bind(configuration.GetSection(SignupOptions.Section))
            .Validate(options => options.SignupCreditUsd >= 0 && Money.FromUsd(options.SignupCreditUsd) is not null,
                "Accounts:SignupCreditUsd must be zero or more, with at most six decimals.")
            .Validate(options => options.SignupsPerHourPerAddress >= 1, "Accounts:SignupsPerHourPerAddress must be at least 1.");
        if (hostsSilo)
        {
            // A dedicated silo's plans are not known here; a co-hosted one's are.
            signup.Validate<IOptions<PlanOptions>>((options, plans) => plans.Value.Resolve(options.DefaultPlan) is not null,
                "Accounts:DefaultPlan must name a configured plan (Plans:<Name>).");
        }

        signup.ValidateOnStart();
        return services;
    }
}
