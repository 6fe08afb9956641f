using System.Buffers.Binary;
using System.IO.Hashing;
using System.Security.Cryptography;
using System.Text;

namespace DosAi.Orleans.Gateway.Admission;

/// <summary>
/// <c>dos_sk_</c> + 26 random base62 characters + a 6-character base62 CRC-32 of those 26, so mistyped
/// or invented keys are refused without any grain call or storage read.
/// </summary>
public static class ApiKeyFormat
{
    public const string Prefix = "dos_sk_";
    public const int BodyLength = 32;
    public const int Length = 39;
    private const int RandomLength = 26;
    private const int ChecksumLength = 6;
    private const string Alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

    public static string Generate()
    {
        Span<char> key = stackalloc char[Length];
        Prefix.CopyTo(key);
        RandomNumberGenerator.GetItems(Alphabet, key.Slice(Prefix.Length, RandomLength));
        WriteChecksum(key.Slice(Prefix.Length, RandomLength), key[(Prefix.Length + RandomLength)..]);
        return new string(key);
    }

    /// <summary>True when the key has the right shape and checksum; says nothing about whether it exists.</summary>
    public static bool IsWellFormed(ReadOnlySpan<char> key)
    {
        if (key.Length != Length || !key.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return false;
        }

        var body = key[Prefix.Length..];
        foreach (var c in body)
        {
            if (!char.IsAsciiLetterOrDigit(c))
            {
                return false;
            }
        }

        Span<char> expected = stackalloc char[ChecksumLength];
        WriteChecksum(body[..RandomLength], expected);
        return body[RandomLength..].SequenceEqual(expected);
    }

    /// <summary>SHA-256 of the whole key as lowercase hex: the only form in which a key is stored.</summary>
    public static string Hash(ReadOnlySpan<char> key)
    {
        Span<byte> sha256 = stackalloc byte[SHA256.HashSizeInBytes];
        Hash(key, sha256);
        return Convert.ToHexStringLower(sha256);
    }

    /// <summary>SHA-256 of the whole key, written to <paramref name="sha256"/>.</summary>
    public static void Hash(ReadOnlySpan<char> key, Span<byte> sha256)
    {
        Span<byte> ascii = stackalloc byte[Length];
        var written = Encoding.ASCII.GetBytes(key, ascii);
        SHA256.HashData(ascii[..written], sha256);
    }

    public static string Hint(ReadOnlySpan<char> key) => string.Concat(Prefix, "…", key[^4..]);

    private static void WriteChecksum(ReadOnlySpan<char> random, Span<char> destination)
    {
        Span<byte> ascii = stackalloc byte[RandomLength];
        Encoding.ASCII.GetBytes(random, ascii);
        Span<byte> crc = stackalloc byte[4];
        Crc32.Hash(ascii, crc);
        var value = (ulong)BinaryPrimitives.ReadUInt32LittleEndian(crc);
        for (var i = ChecksumLength - 1; i >= 0; i--)
        {
            destination[i] = Alphabet[(int)(value % 62)];
            value /= 62;
        }
    }
}
