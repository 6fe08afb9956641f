using System.Security.Cryptography;
using System.Text;

namespace DosAi.Orleans.Grains.Interfaces;

/// <summary>
/// Grain key formats. Every string key starts with a non-hex letter: the ADO.NET storage provider
/// otherwise mistakes hex-looking keys for numbers and rows collide.
/// </summary>
public static class GrainKeys
{
    /// <param name="sha256Hex">The key's SHA-256 as lowercase hex.</param>
    public static string ForKeyHash(string sha256Hex) => "k_" + sha256Hex;

    /// <summary>E-mail addresses may hold '+', which also collides in storage: key them by their hash.</summary>
    public static string ForEmail(string email) =>
        "m_" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(NormalizeEmail(email))));

    public static string NormalizeEmail(string email) => email.Trim().ToLowerInvariant();
}
