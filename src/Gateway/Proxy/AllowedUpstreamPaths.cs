using Microsoft.Extensions.Options;

namespace DosAi.Orleans.Gateway.Proxy;

/// <summary>
/// <c>Upstream:AllowedPaths</c> as rules. Meant for an upstream every customer shares through one credential
/// (OpenAI itself): there its stored objects (files, batches, the list of stored completions at
/// <c>GET /v1/chat/completions</c>) would be one customer's to read for all the others, and some endpoints
/// (ephemeral Realtime keys, batches) escape metering. With no rules, every path is proxied, as the contract says.
/// </summary>
public sealed class AllowedUpstreamPaths(IOptions<UpstreamOptions> options)
{
    // Every entry parses: the node checked them when it started (GatewayOptionsRegistration).
    private readonly Rule[] rules = [.. options.Value.AllowedPaths.Select(entry => Parse(entry)!)];

    public bool Allows(string method, PathString path) => rules.Length == 0 || rules.Any(rule => rule.Matches(method, path));

    /// <summary><c>[METHOD ]/v1/path</c>, optionally ending in <c>/*</c>; null when the entry is not one.</summary>
    public static Rule? Parse(string entry)
    {
        var parts = entry.Trim().Split(' ', 2, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var (method, path) = parts.Length == 2 ? (parts[0], parts[1]) : (null, parts.FirstOrDefault() ?? "");
        var below = path.EndsWith("/*", StringComparison.Ordinal);
        path = below ? path[..^2] : path.TrimEnd('/');
        var valid = path.StartsWith("/v1/", StringComparison.Ordinal) && path.Length > 4 && !path.Contains('*', StringComparison.Ordinal)
            && (method is null || method.All(char.IsAsciiLetter));
        return valid ? new Rule(method, path, below) : null;
    }

    public sealed record Rule(string? Method, string Path, bool Below)
    {
        public bool Matches(string method, PathString path)
        {
            if (Method is not null && !string.Equals(Method, method, StringComparison.OrdinalIgnoreCase))
            {
                return false;
            }

            return Below
                ? path.StartsWithSegments(Path, StringComparison.OrdinalIgnoreCase, out var rest) && rest.Value is { Length: > 1 }
                : string.Equals(path.Value?.TrimEnd('/'), Path, StringComparison.OrdinalIgnoreCase);
        }
    }
}
