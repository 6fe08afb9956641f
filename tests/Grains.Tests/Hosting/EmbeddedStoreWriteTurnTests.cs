using DosAi.Orleans.Grains.Accounting;
using DosAi.Orleans.Grains.Hosting;
using DosAi.Orleans.Grains.Interfaces.Accounts;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Storage;
using Orleans.TestingHost;

namespace DosAi.Orleans.Grains.Tests.Hosting;

/// <summary>In a real silo, grain state and ledger writes to the SQLite file wait for each other's turn.</summary>
[Collection(ClusterCollection.Name)]
public sealed class EmbeddedStoreWriteTurnTests(ClusterFixture fixture)
{
    // Long enough for an unguarded write to SQLite to have finished many times over.
    private static readonly TimeSpan Meanwhile = TimeSpan.FromMilliseconds(200);

    private IServiceProvider Silo => ((InProcessSiloHandle)fixture.Cluster.Primary!).SiloHost.Services;

    [Fact]
    public async Task A_grain_state_write_waits_while_another_write_has_the_turn()
    {
        var storage = Silo.GetRequiredKeyedService<IGrainStorage>(StorageNames.Default);
        var grain = GrainId.Create("probe", $"p_{Guid.NewGuid():N}");

        await AssertWaitsForTheTurn(
            () => storage.WriteStateAsync("probe", grain, new GrainState<List<string>>(["written"])),
            async () => (await Read(storage, grain)).RecordExists);

        Assert.Equal(["written"], (await Read(storage, grain)).State);
    }

    [Fact]
    public async Task A_ledger_commit_waits_while_another_write_has_the_turn()
    {
        var accounting = Silo.GetRequiredService<IAccountingStore>();
        var account = $"acct_{Guid.NewGuid():N}";
        var at = new DateTimeOffset(2026, 2, 1, 0, 0, 0, TimeSpan.Zero);

        await AssertWaitsForTheTurn(
            () => accounting.RecordAsync([new AccountingBatch(account, 1, [new(account, 1, LedgerEntryType.Charge, -5, "key_1", "m", 1, 1, null, at)], [])]),
            async () => (await accounting.ReadLedgerAsync(account, 0, 10)).Entries.Count == 1);
    }

    /// <summary>Starts <paramref name="write"/> while another write has the turn: nothing of it may land until that one ends.</summary>
    private async Task AssertWaitsForTheTurn(Func<Task> write, Func<Task<bool>> landed)
    {
        var otherWriteDone = new TaskCompletionSource();
        var otherWrite = Silo.GetRequiredService<EmbeddedStore>().WriteGate.RunAsync(() => otherWriteDone.Task);

        var writing = write();
        await Task.Delay(Meanwhile);

        Assert.False(writing.IsCompleted);
        Assert.False(await landed());
        otherWriteDone.SetResult();
        await Task.WhenAll(otherWrite, writing);
        Assert.True(await landed());
    }

    private static async Task<GrainState<List<string>>> Read(IGrainStorage storage, GrainId grain)
    {
        var state = new GrainState<List<string>>();
        await storage.ReadStateAsync("probe", grain, state);
        return state;
    }
}
