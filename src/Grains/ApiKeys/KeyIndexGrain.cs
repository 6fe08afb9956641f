using DosAi.Orleans.Grains.Interfaces.ApiKeys;

namespace DosAi.Orleans.Grains.ApiKeys;

[GenerateSerializer, Alias("KeyIndexState")]
public sealed class KeyIndexState
{
    [Id(0)] public string? AccountId { get; set; }
}

public sealed class KeyIndexGrain(
    [PersistentState("keyindex", StorageNames.Default)] IPersistentState<KeyIndexState> state) : Grain, IKeyIndexGrain
{
    public async Task Set(string accountId)
    {
        state.State.AccountId = accountId;
        await state.WriteStateAsync();
    }

    public async Task Clear()
    {
        if (state.RecordExists)
        {
            await state.ClearStateAsync();
        }
    }

    public Task<string?> GetAccountId() => Task.FromResult(state.State.AccountId);
}
