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
        var keyId = "key_" + Guid.NewGuid().ToString("N");
        var hash = Convert.ToHexStringLower(Guid.NewGuid().ToByteArray().Concat(Guid.NewGuid().ToByteArray()).ToArray());
        await account.CreateKey(keyId, "test", hash, "dos_sk_…abcd");
        return (keyId, grains.GetGrain<IApiKeyGrain>(GrainKeys.ForKeyHash(hash)));
    }
}
