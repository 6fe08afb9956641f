using DosAi.Orleans.Cluster.Tests.Infrastructure;
using DosAi.Orleans.Grains.Accounting;
using DosAi.Orleans.Grains.Hosting;
using DosAi.Orleans.Grains.Interfaces.Accounts;

namespace DosAi.Orleans.Cluster.Tests.Storage;

[Collection(PostgresCollection.Name)]
public sealed class PostgresAccountingStoreTests(PostgresFixture postgres) : IAsyncLifetime
{
    private static readonly DateTimeOffset Noon = new(2026, 3, 2, 12, 0, 0, TimeSpan.Zero);

    private PostgresStore store = null!;

    private PostgresAccountingStore Accounting => new(store.DataSource);

    public async Task InitializeAsync() => store = PostgresStore.Open(await postgres.Server.CreateDatabaseAsync());

    public async Task DisposeAsync() => await store.DisposeAsync();

    [Fact]
    public async Task A_batch_is_recorded_once_however_often_and_concurrently_it_is_replayed()
    {
        var batch = new AccountingBatch("a_1", 1,
            [
                Entry("a_1", 1, LedgerEntryType.TopUp, 5_000_000, reference: "invoice-1"),
                Entry("a_1", 2, LedgerEntryType.Charge, -1_234, key: "key_1", model: "m"),
            ],
            [new UsageBucket("key_1", Noon, 1, 10, 20, 1_234)]);

        await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Accounting.RecordAsync([batch])));
        await Accounting.RecordAsync([batch]);

        var page = await Accounting.ReadLedgerAsync("a_1", 0, 10);
        Assert.False(page.HasMore);
        Assert.Equal(batch.Ledger, page.Entries);
        var usage = await Accounting.ReadUsageAsync("a_1", new UsageQuery(Noon.AddHours(-1), Noon.AddHours(1), UsageGranularity.Minute, null));
        Assert.Equal([new UsageBucket("key_1", Noon, 1, 10, 20, 1_234)], usage);
    }

    [Fact]
    public async Task Usage_of_later_batches_adds_up_and_groups_by_minute_hour_and_day()
    {
        var minutes = new[] { Noon, Noon.AddMinutes(1), Noon.AddMinutes(61), Noon.AddDays(1) };
        long sequence = 0;
        foreach (var minute in minutes)
        {
            foreach (var key in new[] { "key_1", "key_2" })
            {
                await Accounting.RecordAsync([new AccountingBatch("a_2", ++sequence, [], [new UsageBucket(key, minute, 2, 3, 4, 5)])]);
            }
        }

        await Accounting.RecordAsync([new AccountingBatch("a_2", ++sequence, [], [new UsageBucket("key_1", Noon, 1, 1, 1, 1)])]);
        await Accounting.RecordAsync([new AccountingBatch("other", 1, [], [new UsageBucket("key_1", Noon, 100, 100, 100, 100)])]);

        var byMinute = await Accounting.ReadUsageAsync("a_2", new UsageQuery(Noon, Noon.AddMinutes(2), UsageGranularity.Minute, "key_1"));
        Assert.Equal([new UsageBucket("key_1", Noon, 3, 4, 5, 6), new UsageBucket("key_1", Noon.AddMinutes(1), 2, 3, 4, 5)], byMinute);

        var byHour = await Accounting.ReadUsageAsync("a_2", new UsageQuery(Noon.AddDays(-1), Noon.AddDays(2), UsageGranularity.Hour, null));
        Assert.Equal(
            [
                new UsageBucket("key_1", Noon, 5, 7, 9, 11), new UsageBucket("key_2", Noon, 4, 6, 8, 10),
                new UsageBucket("key_1", Noon.AddHours(1), 2, 3, 4, 5), new UsageBucket("key_2", Noon.AddHours(1), 2, 3, 4, 5),
                new UsageBucket("key_1", Noon.AddDays(1), 2, 3, 4, 5), new UsageBucket("key_2", Noon.AddDays(1), 2, 3, 4, 5),
            ],
            byHour);

        var byDay = await Accounting.ReadUsageAsync("a_2", new UsageQuery(Noon.AddDays(-1), Noon.AddDays(2), UsageGranularity.Day, "key_2"));
        var midnight = new DateTimeOffset(2026, 3, 2, 0, 0, 0, TimeSpan.Zero);
        Assert.Equal([new UsageBucket("key_2", midnight, 6, 9, 12, 15), new UsageBucket("key_2", midnight.AddDays(1), 2, 3, 4, 5)], byDay);
    }

    [Fact]
    public async Task The_ledger_pages_oldest_first_after_a_sequence()
    {
        var entries = Enumerable.Range(1, 25).Select(i => Entry("a_3", i, LedgerEntryType.Charge, -i, key: "key_1")).ToArray();
        await Accounting.RecordAsync([new AccountingBatch("a_3", 1, entries[..10], [])]);
        await Accounting.RecordAsync([new AccountingBatch("a_3", 2, entries[10..], [])]);

        var first = await Accounting.ReadLedgerAsync("a_3", 0, 10);
        Assert.True(first.HasMore);
        Assert.Equal(entries[..10], first.Entries);
        var last = await Accounting.ReadLedgerAsync("a_3", 20, 10);
        Assert.False(last.HasMore);
        Assert.Equal(entries[20..], last.Entries);
    }

    private static LedgerEntry Entry(string account, long sequence, LedgerEntryType type, long amount, string? key = null, string? model = null, string? reference = null) =>
        new(account, sequence, type, amount, key, model, 7, 8, reference, Noon.AddMilliseconds(sequence * 1_001));

    [Fact]
    public async Task An_accounts_keys_are_added_once_listed_per_account_and_removed_one_by_one()
    {
        await Accounting.AddKeysAsync("a_1", [new("key_1", "k_1"), new("key_2", "k_2")]);
        await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Accounting.AddKeysAsync("a_1", [new("key_1", "k_other"), new("key_3", "k_3")])));
        await Accounting.AddKeysAsync("a_2", [new("key_9", "k_9")]);
        await Accounting.RemoveKeyAsync("a_1", "key_2");
        await Accounting.RemoveKeyAsync("a_2", "key_1");

        Assert.Equal(new Dictionary<string, string> { ["key_1"] = "k_1", ["key_3"] = "k_3" }, await Accounting.ReadKeysAsync("a_1"));
        Assert.Equal(new Dictionary<string, string> { ["key_9"] = "k_9" }, await Accounting.ReadKeysAsync("a_2"));
        Assert.Empty(await Accounting.ReadKeysAsync("a_3"));
    }

    [Fact]
    public async Task Credit_references_are_recorded_with_their_batch_once_and_read_per_account()
    {
        var first = new AccountingBatch("a_1", 1, [], [], [new CreditReference("order-1", 5_000_000), new CreditReference("refund 'x'", -700)]);
        await Accounting.RecordAsync([first]);
        await Accounting.RecordAsync([first with { CreditReferences = [new CreditReference("order-1", 9)] }]);
        await Accounting.RecordAsync([new AccountingBatch("a_2", 1, [], [])]);

        Assert.Equal(5_000_000, await Accounting.ReadCreditReferenceAsync("a_1", "order-1"));
        Assert.Equal(-700, await Accounting.ReadCreditReferenceAsync("a_1", "refund 'x'"));
        Assert.Null(await Accounting.ReadCreditReferenceAsync("a_2", "order-1"));
        Assert.Null(await Accounting.ReadCreditReferenceAsync("a_1", "order-2"));
    }
}
