using DosAi.Orleans.Grains.Accounting;
using DosAi.Orleans.Grains.Interfaces.Accounts;
using DosAi.Orleans.Grains.Tests.Hosting;

namespace DosAi.Orleans.Grains.Tests.Accounting;

public sealed class SqliteAccountingStoreTests
{
    private static readonly DateTimeOffset Minute = new(2026, 3, 1, 9, 30, 0, TimeSpan.Zero);

    [Fact]
    public async Task Ledger_rows_come_back_field_for_field_whatever_their_text_holds()
    {
        var store = SqliteStores.New();
        LedgerEntry[] entries =
        [
            new("acct_1", 1, LedgerEntryType.TopUp, 5_000_000, null, null, 0, 0, "stripe \"pi_1\" \\ ünïcødé ✓", Minute),
            new("acct_1", 2, LedgerEntryType.Charge, -123, "key_1", "gpt-4o-mini", 40, 10, null, Minute.AddMilliseconds(1_234)),
            new("acct_1", 3, LedgerEntryType.Adjustment, long.MinValue / 2, "key_2", "model\nwith newline", long.MaxValue / 2, 0, "ref", Minute.AddDays(1)),
        ];

        await store.RecordAsync([new AccountingBatch("acct_1", 1, entries, [])]);

        var page = await store.ReadLedgerAsync("acct_1", 0, 10);
        Assert.Equal(entries, page.Entries);
    }

    [Theory]
    [InlineData(15)]
    [InlineData(16)]
    [InlineData(17)]
    [InlineData(100)]
    public async Task A_batch_written_in_several_statements_is_stored_whole_and_once(int charges)
    {
        var store = SqliteStores.New();
        var entries = Enumerable.Range(1, charges)
            .Select(sequence => new LedgerEntry("acct_4", sequence, LedgerEntryType.Charge, -sequence, "key_1", "m", sequence, 1, null, Minute))
            .ToArray();
        var batch = new AccountingBatch("acct_4", 1, entries, [new UsageBucket("key_1", Minute, charges, 0, charges, 0)]);

        await store.RecordAsync([batch]);
        await store.RecordAsync([batch]);

        Assert.Equal(entries, (await store.ReadLedgerAsync("acct_4", 0, 1_000)).Entries);
        var usage = Assert.Single(await store.ReadUsageAsync("acct_4", new UsageQuery(Minute, Minute.AddMinutes(1), UsageGranularity.Minute, null)));
        Assert.Equal(charges, usage.Requests);
    }

    [Fact]
    public async Task Batches_of_several_accounts_in_one_commit_each_land_whole_under_their_own_account()
    {
        var store = SqliteStores.New();
        var batches = new[] { "acct_5", "acct_6", "acct_7" }.Select((account, index) =>
        {
            var charges = 17 + index;
            var entries = Enumerable.Range(1, charges)
                .Select(sequence => new LedgerEntry(account, sequence, LedgerEntryType.Charge, -sequence, $"key_{index}", "m", sequence, 1, null, Minute))
                .ToArray();
            return new AccountingBatch(account, 1, entries, [new UsageBucket($"key_{index}", Minute, charges, 0, charges, 0)]);
        }).ToArray();

        await store.RecordAsync(batches);

        foreach (var batch in batches)
        {
            Assert.Equal(batch.Ledger, (await store.ReadLedgerAsync(batch.AccountId, 0, 1_000)).Entries);
            Assert.Equal(batch.Usage, await store.ReadUsageAsync(batch.AccountId, new UsageQuery(Minute, Minute.AddMinutes(1), UsageGranularity.Minute, null)));
        }
    }

    [Fact]
    public async Task Usage_of_a_replayed_batch_counts_once_and_later_batches_add_to_the_same_minute()
    {
        var store = SqliteStores.New();
        var first = new AccountingBatch("acct_2", 1, [], [new UsageBucket("key_1", Minute, 2, 30, 7, 500), new UsageBucket("key_2", Minute, 1, 1, 1, 1)]);
        var second = new AccountingBatch("acct_2", 2, [], [new UsageBucket("key_1", Minute, 1, 10, 3, 100)]);

        await store.RecordAsync([first]);
        await store.RecordAsync([first, second]);

        var usage = await store.ReadUsageAsync("acct_2", new UsageQuery(Minute, Minute.AddMinutes(1), UsageGranularity.Minute, null));
        Assert.Equal([new UsageBucket("key_1", Minute, 3, 40, 10, 600), new UsageBucket("key_2", Minute, 1, 1, 1, 1)], usage);
    }

    [Fact]
    public async Task A_commit_waits_for_its_turn_while_another_write_to_the_file_runs()
    {
        var embedded = SqliteStores.NewEmbedded();
        var store = SqliteStores.Over(embedded);

        await WriteTurns.AssertWaitsForTheTurn(
            embedded.WriteGate,
            () => store.RecordAsync([new AccountingBatch("acct_3", 1, [new("acct_3", 1, LedgerEntryType.Charge, -5, "key_1", "m", 1, 1, null, Minute)], [])]),
            async () => (await store.ReadLedgerAsync("acct_3", 0, 10)).Entries.Count == 1);
    }

    [Fact]
    public async Task An_accounts_keys_are_added_once_listed_per_account_and_removed_one_by_one()
    {
        var store = SqliteStores.New();
        await store.AddKeysAsync("a_1", [new("key_1", "k_1"), new("key_2", "k_2")]);
        await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => store.AddKeysAsync("a_1", [new("key_1", "k_other"), new("key_3", "k_3")])));
        await store.AddKeysAsync("a_2", [new("key_9", "k_9")]);
        await store.RemoveKeyAsync("a_1", "key_2");
        await store.RemoveKeyAsync("a_2", "key_1");

        Assert.Equal(new Dictionary<string, string> { ["key_1"] = "k_1", ["key_3"] = "k_3" }, await store.ReadKeysAsync("a_1"));
        Assert.Equal(new Dictionary<string, string> { ["key_9"] = "k_9" }, await store.ReadKeysAsync("a_2"));
        Assert.Empty(await store.ReadKeysAsync("a_3"));
    }

    [Fact]
    public async Task Credit_references_are_recorded_with_their_batch_once_and_read_per_account()
    {
        var store = SqliteStores.New();
        var first = new AccountingBatch("a_1", 1, [], [], [new CreditReference("order-1", 5_000_000), new CreditReference("refund 'x'", -700)]);
        await store.RecordAsync([first]);
        await store.RecordAsync([first with { CreditReferences = [new CreditReference("order-1", 9)] }]);
        await store.RecordAsync([new AccountingBatch("a_2", 1, [], [])]);

        Assert.Equal(5_000_000, await store.ReadCreditReferenceAsync("a_1", "order-1"));
        Assert.Equal(-700, await store.ReadCreditReferenceAsync("a_1", "refund 'x'"));
        Assert.Null(await store.ReadCreditReferenceAsync("a_2", "order-1"));
        Assert.Null(await store.ReadCreditReferenceAsync("a_1", "order-2"));
    }
}
