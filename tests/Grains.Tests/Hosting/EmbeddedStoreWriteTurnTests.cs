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
    private IServiceProvider Silo => ((InProcessSiloHandle)fixture.Cluster.Primary!).SiloHost.Services;

    private SqliteWriteGate Gate => Silo.GetRequiredService<EmbeddedStore>().WriteGate;

    [Fact]
    public async Task A_grain_state_write_waits_while_another_write_has_the_turn()
    {
        var storage = Silo.GetRequiredKeyedService<IGrainStorage>(StorageNames.Default);
        var grain = GrainId.Create("probe", $"p_{Guid.NewGuid():N}");

        await WriteTurns.AssertWaitsForTheTurn(
            Gate,
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

        await WriteTurns.AssertWaitsForTheTurn(
            Gate,
            () => accounting.RecordAsync([new AccountingBatch(account, 1, [new(account, 1, LedgerEntryType.Charge, -5, "key_1", "m", 1, 1, null, at)], [])]),
            async () => (await accounting.ReadLedgerAsync(account, 0, 10)).Entries.Count == 1);
    }

    private static async Task<GrainState<List<string>>> Read(IGrainStorage storage, GrainId grain)
    {
        var state = new GrainState<List<string>>();
        await storage.ReadStateAsync("probe", grain, state);
        return state;
    }
}
