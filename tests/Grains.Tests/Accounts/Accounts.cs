using DosAi.Orleans.Grains.Interfaces;
using DosAi.Orleans.Grains.Interfaces.Accounts;
using DosAi.Orleans.Grains.Interfaces.ApiKeys;

namespace DosAi.Orleans.Grains.Tests.Accounts;

/// <summary>Creates accounts and keys through the grains the way the gateway does.</summary>
public static class Accounts
{
    public static async Task<IAccountGrain> Create(IGrainFactory grains, string plan = "Free", long balanceMicros = 0)
    {
        var id = "acct_" + Guid.NewGuid().ToString("N");
        var account = grains.GetGrain<IAccountGrain>(id);
        Assert.True(await account.Create(new NewAccount($"{id}@example.com", null, plan)));
        if (balanceMicros != 0)
        {
            await account.AddCredits(balanceMicros, "initial");
        }

        return account;
    }

    public static async Task<(string KeyId, IApiKeyGrain Key)> CreateKey(IGrainFactory grains, IAccountGrain account)
    {
        var (keyId, hash) = NewKey();
        await account.CreateKey(keyId, "test", hash, Hint);
        return (keyId, grains.GetGrain<IApiKeyGrain>(GrainKeys.ForKeyHash(hash)));
    }

    public const string Hint = "dos_sk_…abcd";

    /// <summary>A key id and key hash as the gateway makes them, for tests that need them before the key is created.</summary>
    public static (string KeyId, string Hash) NewKey() =>
        ("key_" + Guid.NewGuid().ToString("N"), Convert.ToHexStringLower(Guid.NewGuid().ToByteArray().Concat(Guid.NewGuid().ToByteArray()).ToArray()));
}
