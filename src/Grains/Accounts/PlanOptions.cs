using DosAi.Orleans.Grains.Interfaces.Accounts;

namespace DosAi.Orleans.Grains.Accounts;

/// <summary>Configuration section <c>Plans</c>: <c>Plans:&lt;Name&gt;:RequestsPerMinute</c> and <c>…:TokensPerMinute</c>.</summary>
public sealed class PlanOptions
{
    public const string Section = "Plans";

    public Dictionary<string, PlanLimitOptions> Plans { get; } = new(StringComparer.OrdinalIgnoreCase)
    {
        ["Free"] = new() { RequestsPerMinute = 60, TokensPerMinute = 100_000 },
        ["Plus"] = new() { RequestsPerMinute = 120, TokensPerMinute = 500_000 },
        ["Pro"] = new() { RequestsPerMinute = 300, TokensPerMinute = 2_000_000 },
    };

    /// <summary>The plan's limits under its configured spelling, or null for an unknown plan.</summary>
    public PlanLimits? Resolve(string plan)
    {
        foreach (var (name, limits) in Plans)
        {
            if (string.Equals(name, plan, StringComparison.OrdinalIgnoreCase))
            {
                return new PlanLimits(name, limits.RequestsPerMinute, limits.TokensPerMinute);
            }
        }

        return null;
    }
}

public sealed class PlanLimitOptions
{
    public int RequestsPerMinute { get; set; }

    public long TokensPerMinute { get; set; }
}
