using Microsoft.Extensions.DependencyInjection;
using DosAi.Orleans.Grains.Interfaces.Accounts;

namespace DosAi.Orleans.Grains.Accounts;

[GenerateSerializer, Alias("EmailIndexState")]
public sealed class EmailIndexState
{
    [Id(0)] public string? AccountId { get; set; }
}

/// <summary>Failed logins are remembered in memory only: a restart forgives them, which is acceptable.</summary>
public sealed class EmailIndexGrain(
    [PersistentState("emailindex", StorageNames.Default)] IPersistentState<EmailIndexState> state,
    [FromKeyedServices(GrainClock.Key)] TimeProvider time) : Grain, IEmailIndexGrain
{
    public const int MaxFailures = 5;
    public static readonly TimeSpan FailureWindow = TimeSpan.FromMinutes(15);

    private readonly Queue<DateTimeOffset> failures = new();

    public async Task<bool> Claim(string accountId)
    {
        if (state.State.AccountId is not null)
        {
            return state.State.AccountId == accountId;
        }

        state.State.AccountId = accountId;
        await state.WriteStateAsync();
        return true;
    }

    public async Task Release(string accountId)
    {
        if (state.State.AccountId == accountId)
        {
            await state.ClearStateAsync();
        }
    }

    public Task<string?> GetAccountId() => Task.FromResult(state.State.AccountId);

    public Task<TimeSpan> GetLoginLockout()
    {
        var now = time.GetUtcNow();
        while (failures.Count > 0 && failures.Peek() + FailureWindow <= now)
        {
            failures.Dequeue();
        }

        return Task.FromResult(failures.Count >= MaxFailures ? failures.Peek() + FailureWindow - now : TimeSpan.Zero);
    }

    public Task RecordLogin(bool succeeded)
    {
        if (succeeded)
        {
            failures.Clear();
        }
        else
        {
            failures.Enqueue(time.GetUtcNow());
        }

        return Task.CompletedTask;
    }
}
