using DosAi.Orleans.Gateway.Hosting;

namespace DosAi.Orleans.Gateway.Api;

/// <summary>Configuration section <c>Accounts</c>.</summary>
public sealed class SignupOptions
{
    public const string Section = "Accounts";

    public bool AllowSignup { get; set; } = true;

    public decimal SignupCreditUsd { get; set; }

    public string DefaultPlan { get; set; } = "Free";

    public long SignupCreditMicros => Money.FromUsd(SignupCreditUsd) ?? throw new InvalidOperationException("Accounts:SignupCreditUsd has more than six decimals.");
}
