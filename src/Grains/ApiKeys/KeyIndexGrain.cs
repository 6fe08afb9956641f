using DosAi.Orleans.Grains.Interfaces.ApiKeys;

namespace DosAi.Orleans.Grains.ApiKeys;

[GenerateSerializer, Alias("KeyIndexState")]
public sealed class KeyIndexState
{
    [Id(0)] public string? AccountId { get; set; }
}

/// <summary>
/// Which account a key id belongs to, for deleting a key by its id alone. Read that rarely, an entry leaves memory
/// once it has answered: one kept for the idle time per key created would let creating keys hold memory.
/// </summary>
public sealed class KeyIndexGrain(
    [PersistentState("keyindex", StorageNames.Default)] IPersistentState<KeyIndexState> state) : Grain, IKeyIndexGrain
{
    public async Task Set(string accountId)
    {
        DeactivateOnIdle();
        state.State.AccountId = accountId;
        await state.WriteStateAsync();
    }

    public async Task Clear()
    {
        DeactivateOnIdle();
        if (state.RecordExists)
        {
            await state.ClearStateAsync();
        }
    }

    public Task<string?> GetAccountId()
    {
        DeactivateOnIdle();
        return Task.FromResult(state.State.AccountId);
    }
}
