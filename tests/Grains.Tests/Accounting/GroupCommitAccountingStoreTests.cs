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

    [Fact]
    public async Task A_batch_the_store_refuses_fails_only_its_own_caller_not_those_committed_with_it()
    {
        var embedded = SqliteStores.NewEmbedded();
        await using var grouped = new GroupCommitAccountingStore(SqliteStores.Over(embedded));
        await using var other = new SqliteConnection(embedded.ConnectionString);
        await other.OpenAsync();
        await Execute(other, "CREATE TRIGGER refuse_acct_bad BEFORE INSERT ON dosai_ledger WHEN NEW.account_id = 'acct_bad' BEGIN SELECT RAISE(ABORT, 'refused'); END");

        // Another writer holds the database, so the first commit waits and the next callers queue into one group.
        await Execute(other, "BEGIN IMMEDIATE");
        var first = grouped.RecordAsync([Batch("acct_first", 1)]);
        await Task.Delay(200);
        var bad = grouped.RecordAsync([Batch("acct_bad", 1)]);
        var innocent = Enumerable.Range(0, 5).Select(i => grouped.RecordAsync([Batch($"acct_innocent_{i}", 1)])).ToList();
        await Execute(other, "COMMIT");

        await first;
        await Assert.ThrowsAsync<SqliteException>(() => bad);
        await Task.WhenAll(innocent);
        Assert.Equal(1L, (await grouped.ReadTailAsync("acct_innocent_4", afterLedgerSequence: 0)).LastBatchSequence);
        Assert.Equal(0L, (await grouped.ReadTailAsync("acct_bad", afterLedgerSequence: 0)).LastBatchSequence);
    }

    private static async Task Execute(SqliteConnection connection, string sql)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync();
    }

    private static AccountingBatch Batch(string account, long sequence) => new(
        account,
        sequence,
        [new LedgerEntry(account, sequence, LedgerEntryType.Charge, -3, "key_1", "m", 1, 1, null, Minute)],
        [new UsageBucket("key_1", Minute, 1, 1, 1, 3)]);
}
