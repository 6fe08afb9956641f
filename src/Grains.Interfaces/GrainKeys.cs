using System.Security.Cryptography;
using System.Text;

namespace DosAi.Orleans.Grains.Interfaces;

/// <summary>
/// Grain key formats. Every string key starts with a non-hex letter: the ADO.NET storage provider
/// otherwise mistakes hex-looking keys for numbers and rows collide.
/// </summary>
public static class GrainKeys
{
    private const string KeyPrefix = "k_";

    /// <param name="sha256Hex">The key's SHA-256 as lowercase hex.</param>
    public static string ForKeyHash(string sha256Hex) => KeyPrefix + sha256Hex;

    /// <summary>
    /// <see cref="ForKeyHash"/>'s key as grain id bytes, written straight from the hash: the gateway does
    /// this on every request, and the string route allocates the hex, the prefixed copy and its UTF-8 bytes.
    /// </summary>
    public static IdSpan ForKeyHash(ReadOnlySpan<byte> sha256)
    {
        var utf8 = new byte[KeyPrefix.Length + 2 * sha256.Length];
        Encoding.ASCII.GetBytes(KeyPrefix, utf8);
        Convert.TryToHexStringLower(sha256, utf8.AsSpan(KeyPrefix.Length), out _);
        return new IdSpan(utf8);
    }

    /// <summary>E-mail addresses may hold '+', which also collides in storage: key them by their hash.</summary>
    public static string ForEmail(string email) =>
        "m_" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(NormalizeEmail(email))));

    public static string NormalizeEmail(string email) => email.Trim().ToLowerInvariant();
}
