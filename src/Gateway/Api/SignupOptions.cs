using DosAi.Orleans.Gateway.Hosting;

namespace DosAi.Orleans.Gateway.Api;

/// <summary>Configuration section <c>Accounts</c>.</summary>
public sealed class SignupOptions
{
    public const string Section = "Accounts";

    public bool AllowSignup { get; set; } = true;

    public decimal SignupCreditUsd { get; set; }

    public string DefaultPlan { get; set; } = "Free";

    /// <summary>Sign-ups accepted from one client address per hour.</summary>
    public int SignupsPerHourPerAddress { get; set; } = 20;

    /// <summary>Checked at start (<see cref="GatewayOptionsRegistration"/>).</summary>
    public long SignupCreditMicros => Money.FromUsd(SignupCreditUsd)!.Value;
}
