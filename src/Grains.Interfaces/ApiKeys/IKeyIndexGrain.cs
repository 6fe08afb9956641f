namespace DosAi.Orleans.Grains.Interfaces.ApiKeys;

/// <summary>Maps a public key id (<c>key_…</c>) to its account so keys can be deleted by id alone.</summary>
[Alias("IKeyIndexGrain")]
public interface IKeyIndexGrain : IGrainWithStringKey
{
    [Alias("Set")] Task Set(string accountId);

    [Alias("Clear")] Task Clear();

    [Alias("GetAccountId")] Task<string?> GetAccountId();
}
