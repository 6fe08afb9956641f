using DosAi.Orleans.Grains.Interfaces.Accounts;
using DosAi.Orleans.Grains.Interfaces.ApiKeys;
using DosAi.Orleans.Grains.Tests.Accounting;

namespace DosAi.Orleans.Grains.Tests.Accounts;

public sealed class LedgerWriteIntervalTests(QuietLedgerClusterFixture fixture) : IClassFixture<QuietLedgerClusterFixture>
{
    [Fact]
    public async Task Charges_wait_in_the_account_for_its_own_interval_and_a_ledger_read_writes_them_first()
    {
        var account = await Accounts.Create(fixture.Grains, balanceMicros: 10_000);
        var (_, key) = await Accounts.CreateKey(fixture.Grains, account);
        for (var i = 0; i < 3; i++)
        {
            var admission = await key.Admit(new AdmissionRequest(10, 100));
            await key.Settle(new Settlement(admission.Ticket, "m", 5, 5, 100));
        }

        // Five of the keys' ticks: their charges are in the account by now, but not in the ledger.
        await Task.Delay(TimeSpan.FromSeconds(1));
        var store = SqliteStores.In(fixture.DataDirectory);
        var accountId = account.GetPrimaryKeyString();
        Assert.Single((await store.ReadLedgerAsync(accountId, 0, 100)).Entries); // the top-up, written before it was acknowledged

        var ledger = (await account.GetLedger(0, 100)).Entries;
        Assert.Equal(4, ledger.Count);
        Assert.Equal(4, (await store.ReadLedgerAsync(accountId, 0, 100)).Entries.Count);
    }
}
