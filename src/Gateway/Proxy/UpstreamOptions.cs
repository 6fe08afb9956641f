namespace DosAi.Orleans.Gateway.Proxy;

/// <summary>Configuration section <c>Upstream</c>.</summary>
public sealed class UpstreamOptions
{
    public const string Section = "Upstream";

    public Uri BaseUrl { get; set; } = new("http://127.0.0.1:8000");

    /// <summary>Sent upstream as <c>Authorization: Bearer …</c>; the client's key never is.</summary>
    public string? ApiKey { get; set; }

    /// <summary>Longest silence from the upstream (no response bytes) before 504.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// When set, only requests these rules allow are proxied; others get 404. Each rule is <c>[METHOD ]/v1/path</c>,
    /// the path matched exactly or, ending in <c>/*</c>, every path below it (see <see cref="AllowedUpstreamPaths"/>).
    /// </summary>
    public List<string> AllowedPaths { get; set; } = [];
}
