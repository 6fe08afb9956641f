using Microsoft.Extensions.Primitives;

namespace DosAi.Orleans.Gateway.Admission;

public static class BearerToken
{
    /// <summary>The token of an <c>Authorization: Bearer …</c> header, or null when there is none.</summary>
    public static string? From(StringValues authorization)
    {
        if (authorization.Count != 1)
        {
            return null;
        }

        var value = authorization[0].AsSpan().Trim();
        const string scheme = "Bearer ";
        if (value.Length <= scheme.Length || !value.StartsWith(scheme, StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        return value[scheme.Length..].Trim().ToString();
    }
}
