using DosAi.Orleans.Grains.Accounting;
using DosAi.Orleans.Grains.Hosting;
using DosAi.Orleans.Grains.Interfaces.Accounts;
using Microsoft.Data.Sqlite;

namespace DosAi.Orleans.Grains.Tests.Accounting;

public sealed class GroupCommitAccountingStoreTests
{
    private static readonly DateTimeOffset Minute = new(2026, 1, 1, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Concurrent_callers_are_committed_together_and_each_batch_exactly_once()
    {
        var store = SqliteStores.New();
        await using var grouped = new GroupCommitAccountingStore(store);

        // 50 accounts × 20 batches, each batch recorded twice (a replay after an unknown outcome).
        await Task.WhenAll(Enumerable.Range(0, 50).Select(account => Task.Run(async () =>
        {
            for (var sequence = 1; sequence <= 20; sequence++)
            {
                var batch = Batch($"acct_{account}", sequence);
                await grouped.RecordAsync([batch]);
                await grouped.RecordAsync([batch]);
            }
        })));

        var tail = await grouped.ReadTailAsync("acct_7", afterLedgerSequence: 5);
        Assert.Equal((-15 * 3L, 20L, 20L), (tail.AmountMicros, tail.LastLedgerSequence, tail.LastBatchSequence));
        var usage = Assert.Single(await grouped.ReadUsageAsync("acct_7", new UsageQuery(Minute, Minute.AddHours(1), UsageGranularity.Hour, null)));
        Assert.Equal(20, usage.Requests);
    }

    [Fact]
    public async Task A_failed_commit_fails_its_callers_who_can_retry()
    {
        var missing = new SqliteConnectionStringBuilder { DataSource = "/nonexistent-dir/dosai.db", Mode = SqliteOpenMode.ReadWrite }.ToString();
        await using var grouped = new GroupCommitAccountingStore(new SqliteAccountingStore(missing, new SqliteWriteGate()));

        await Assert.ThrowsAsync<SqliteException>(() => grouped.RecordAsync([Batch("acct_x", 1)]));
        await Assert.ThrowsAsync<SqliteException>(() => grouped.RecordAsync([Batch("acct_x", 1)]));
    }

    private static AccountingBatch Batch(string account, long sequence) => new(
        account,
        sequence,
        [new LedgerEntry(account, sequence, LedgerEntryType.Charge, -3, "key_1", "m", 1, 1, null, Minute)],
        [new UsageBucket("key_1", Minute, 1, 1, 1, 3)]);
}
