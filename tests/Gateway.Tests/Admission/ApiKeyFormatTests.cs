using DosAi.Orleans.Gateway.Admission;
using DosAi.Orleans.Grains.Interfaces;

namespace DosAi.Orleans.Gateway.Tests.Admission;

public sealed class ApiKeyFormatTests
{
    [Fact]
    public void Generated_keys_are_well_formed_distinct_and_base62()
    {
        var keys = Enumerable.Range(0, 1000).Select(_ => ApiKeyFormat.Generate()).ToList();

        Assert.Equal(1000, keys.Distinct().Count());
        Assert.All(keys, key =>
        {
            Assert.Matches("^dos_sk_[A-Za-z0-9]{32}$", key);
            Assert.True(ApiKeyFormat.IsWellFormed(key));
        });
    }

    [Fact]
    public void Any_single_character_change_breaks_the_checksum()
    {
        var key = ApiKeyFormat.Generate();
        for (var position = ApiKeyFormat.Prefix.Length; position < key.Length; position++)
        {
            var replacement = key[position] == 'Z' ? 'Y' : 'Z';
            var mistyped = key[..position] + replacement + key[(position + 1)..];
            Assert.False(ApiKeyFormat.IsWellFormed(mistyped), $"change at {position} went unnoticed");
        }
    }

    [Theory]
    [InlineData("")]
    [InlineData("dos_sk_")]
    [InlineData("sk-proj-abcdefghijklmnopqrstuvwxyz0123456789")]
    [InlineData("dos_pk_abcdefghijklmnopqrstuvwxyz012345")]
    [InlineData("dos_sk_abcdefghijklmnopqrstuvwxyz01234")]
    [InlineData("dos_sk_abcdefghijklmnopqrstuvwxyz0123456")]
    [InlineData("dos_sk_abcdefghijklmnopqrstuvwxyz01234é")]
    public void Malformed_keys_are_rejected(string key) => Assert.False(ApiKeyFormat.IsWellFormed(key));

    [Fact]
    public void Hash_is_the_sha256_of_the_whole_key_and_hint_shows_the_last_four()
    {
        const string key = "dos_sk_0000000000000000000000000000abcd";
        Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.ASCII.GetBytes(key))), ApiKeyFormat.Hash(key));
        Assert.Equal("dos_sk_…abcd", ApiKeyFormat.Hint(key));
    }

    [Fact]
    public void The_key_grain_id_written_from_the_hash_bytes_is_the_one_accounts_create_from_the_hex()
    {
        Assert.All(Enumerable.Range(0, 100).Select(_ => ApiKeyFormat.Generate()), key =>
        {
            Span<byte> sha256 = stackalloc byte[32];
            ApiKeyFormat.Hash(key, sha256);
            Assert.Equal(IdSpan.Create(GrainKeys.ForKeyHash(ApiKeyFormat.Hash(key))), GrainKeys.ForKeyHash(sha256));
        });
    }
}
