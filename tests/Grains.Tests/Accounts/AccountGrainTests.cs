using DosAi.Orleans.Grains.Interfaces;
using DosAi.Orleans.Grains.Interfaces.Accounts;
using DosAi.Orleans.Grains.Interfaces.ApiKeys;
using DosAi.Orleans.Grains.Accounting;
using DosAi.Orleans.Grains.Tests.Accounting;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Storage;
using Orleans.TestingHost;

namespace DosAi.Orleans.Grains.Tests.Accounts;

[Collection(ClusterCollection.Name)]
public sealed class AccountGrainTests(ClusterFixture fixture)
{
    private IGrainFactory Grains => fixture.Grains;

    [Fact]
    public async Task Top_ups_are_idempotent_per_reference()
    {
        var account = await Accounts.Create(Grains);
        var first = await account.AddCredits(5_000_000, "order-1");
        var repeat = await account.AddCredits(5_000_000, "order-1");
        var conflict = await account.AddCredits(7_000_000, "order-1");

        Assert.Equal(CreditOutcome.Applied, first!.Outcome);
        Assert.Equal(CreditOutcome.Repeated, repeat!.Outcome);
        Assert.Equal(CreditOutcome.ReferenceConflict, conflict!.Outcome);
        Assert.Equal(5_000_000, (await account.Get())!.BalanceMicros);
        Assert.Single((await account.GetLedger(0, 100)).Entries);
    }

    [Fact]
    public async Task A_credit_that_would_take_the_balance_above_the_most_an_account_holds_changes_nothing()
    {
        var account = await Accounts.Create(Grains, balanceMicros: Balances.MostMicros - 10);

        var refused = await account.AddCredits(long.MaxValue / 2, "too-much");
        var justBelow = await account.AddCredits(11, "one-too-many");
        var exact = await account.AddCredits(10, "one-too-many"); // a refused credit does not use up its reference

        Assert.Equal((CreditOutcome.BalanceLimit, Balances.MostMicros - 10, 0L), (refused!.Outcome, refused.BalanceMicros, refused.AppliedMicros));
        Assert.Equal(CreditOutcome.BalanceLimit, justBelow!.Outcome);
        Assert.Equal((CreditOutcome.Applied, Balances.MostMicros), (exact!.Outcome, exact.BalanceMicros));
        Assert.Equal(Balances.MostMicros, (await account.Get())!.BalanceMicros);
        Assert.Equal([Balances.MostMicros - 10, 10], (await account.GetLedger(0, 100)).Entries.Select(e => e.AmountMicros));
    }

    [Fact]
    public async Task Negative_adjustments_never_take_the_balance_below_zero()
    {
        var account = await Accounts.Create(Grains, balanceMicros: 3_000_000);
        var refund = await account.AddCredits(-1_000_000, "refund-1");
        var correction = await account.AddCredits(-10_000_000, "correction-1");

        Assert.Equal(2_000_000, refund!.BalanceMicros);
        Assert.Equal(0, correction!.BalanceMicros);
        Assert.Equal(-2_000_000, correction.AppliedMicros);
        var ledger = await account.GetLedger(0, 100);
        Assert.Equal([3_000_000, -1_000_000, -2_000_000], ledger.Entries.Select(e => e.AmountMicros));
        Assert.Equal(LedgerEntryType.Adjustment, ledger.Entries[^1].Type);
    }

    [Fact]
    public async Task Reservations_and_settlements_charge_actual_cost_and_release_the_estimate()
    {
        var account = await Accounts.Create(Grains, balanceMicros: 1_000);
        var (keyId, key) = await Accounts.CreateKey(Grains, account);

        var first = await key.Admit(new AdmissionRequest(100, 600));
        var second = await key.Admit(new AdmissionRequest(100, 600));
        Assert.Equal(AdmissionOutcome.Admitted, first.Outcome);
        Assert.Equal(AdmissionOutcome.InsufficientCredits, second.Outcome);
        Assert.Equal(1, second.Limits!.RequestsUsed); // the refused request left the window again

        await key.Settle(new Settlement(first.Ticket, "m", 40, 10, 250));
        Assert.Equal(750, (await account.Get())!.BalanceMicros);
        var third = await key.Admit(new AdmissionRequest(100, 750));
        Assert.Equal(AdmissionOutcome.Admitted, third.Outcome);
        Assert.Equal(50, third.Limits!.TokensUsed - 100); // first entry reconciled to 40 + 10

        await key.Settle(new Settlement(third.Ticket, null, 0, 0, 0)); // failed upstream call: free
        Assert.Equal(750, (await account.Get())!.BalanceMicros);
        var ledger = await account.GetLedger(0, 100);
        var charge = Assert.Single(ledger.Entries, e => e.Type == LedgerEntryType.Charge);
        Assert.Equal((-250, keyId, "m", 40L, 10L), (charge.AmountMicros, charge.KeyId, charge.Model, charge.PromptTokens, charge.CompletionTokens));
        Assert.Equal(750, ledger.Entries.Sum(e => e.AmountMicros));
    }

    [Fact]
    public async Task Charges_reach_the_ledger_store_within_the_write_behind_window_without_shutdown()
    {
        var account = await Accounts.Create(Grains, balanceMicros: 10_000);
        var (_, key) = await Accounts.CreateKey(Grains, account);
        for (var i = 0; i < 5; i++)
        {
            var admission = await key.Admit(new AdmissionRequest(10, 100));
            await key.Settle(new Settlement(admission.Ticket, "m", 5, 5, 100));
        }

        var store = SqliteStores.In(fixture.DataDirectory);
        var accountId = account.GetPrimaryKeyString(); // not read through the account: its reads ask keys for their charges
        LedgerPage page;
        var deadline = DateTime.UtcNow.AddSeconds(30);
        do
        {
            await Task.Delay(100);
            page = await store.ReadLedgerAsync(accountId, 0, 100);
        }
        while (page.Entries.Count < 6 && DateTime.UtcNow < deadline);

        Assert.Equal(6, page.Entries.Count);
        Assert.Equal(9_500, page.Entries.Sum(e => e.AmountMicros));
    }

    [Fact]
    public async Task Usage_buckets_count_every_settled_request_and_add_up_to_the_ledger()
    {
        var account = await Accounts.Create(Grains, balanceMicros: 10_000);
        var (keyId, key) = await Accounts.CreateKey(Grains, account);
        var (otherKeyId, otherKey) = await Accounts.CreateKey(Grains, account);
        var start = UsageGranularities.MinuteOf(ClusterFixture.Clock.GetUtcNow());
        foreach (var (grain, prompt, completion, cost) in new[] { (key, 10L, 5L, 40L), (key, 3L, 0L, 9L), (otherKey, 0L, 0L, 0L) })
        {
            var admission = await grain.Admit(new AdmissionRequest(20, 100));
            await grain.Settle(new Settlement(admission.Ticket, "m", prompt, completion, cost));
        }

        ClusterFixture.Clock.Advance(TimeSpan.FromMinutes(1));
        var late = await key.Admit(new AdmissionRequest(20, 100));
        await key.Settle(new Settlement(late.Ticket, "m", 1, 1, 2));

        var perMinute = await account.GetUsage(new UsageQuery(start, start.AddHours(1), UsageGranularity.Minute, null));
        var expected = new[] { (keyId, start, 2L, 13L, 5L, 49L), (otherKeyId, start, 1L, 0L, 0L, 0L), (keyId, start.AddMinutes(1), 1L, 1L, 1L, 2L) };
        Assert.Equal(
            expected.OrderBy(b => b.ToString()),
            perMinute.Select(b => (b.KeyId, b.Start, b.Requests, b.PromptTokens, b.CompletionTokens, b.CostMicros)).OrderBy(b => b.ToString()));
        var perDay = await account.GetUsage(new UsageQuery(start.AddDays(-1), start.AddDays(1), UsageGranularity.Day, keyId));
        var day = Assert.Single(perDay);
        Assert.Equal((3L, 51L), (day.Requests, day.CostMicros));
        var charges = (await account.GetLedger(0, 100)).Entries.Where(e => e.Type == LedgerEntryType.Charge).Sum(e => -e.AmountMicros);
        Assert.Equal(charges, perMinute.Sum(b => b.CostMicros));
    }

    [Fact]
    public async Task A_batch_recorded_twice_is_applied_once()
    {
        var store = SqliteStores.In(fixture.DataDirectory);
        var accountId = "acct_" + Guid.NewGuid().ToString("N");
        var now = DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds());
        var batch = new AccountingBatch(accountId, 1,
            [new LedgerEntry(accountId, 1, LedgerEntryType.TopUp, 500, null, null, 0, 0, "r", now)],
            [new UsageBucket("key_a", UsageGranularities.MinuteOf(now), 2, 10, 20, 30)]);

        await store.RecordAsync([batch]);
        await store.RecordAsync([batch]);

        Assert.Single((await store.ReadLedgerAsync(accountId, 0, 10)).Entries);
        var usage = Assert.Single(await store.ReadUsageAsync(accountId, new UsageQuery(now.AddHours(-1), now.AddHours(1), UsageGranularity.Hour, null)));
        Assert.Equal((2L, 30L), (usage.Requests, usage.CostMicros));
    }

    [Fact]
    public async Task A_new_activation_adds_the_ledger_recorded_after_the_last_checkpoint()
    {
        var account = await Accounts.Create(Grains, balanceMicros: 1_000_000);
        var accountId = (await account.Get())!.Id;
        var (keyId, key) = await Accounts.CreateKey(Grains, account);
        var admission = await key.Admit(new AdmissionRequest(10, 100));
        await key.Settle(new Settlement(admission.Ticket, "m", 5, 5, 400));
        await account.GetLedger(0, 10); // records the charge batch (no checkpoint yet)
        var store = SqliteStores.In(fixture.DataDirectory);
        var tail = await store.ReadTailAsync(accountId, 0);

        // What a previous activation recorded after its checkpoint, as if its silo then died: the
        // next activation must count it, and continue the sequences after it.
        // Only the account: its key would give its credit lease back on deactivation, waking the account early.
        await account.Cast<global::Orleans.Core.Internal.IGrainManagementExtension>().DeactivateOnIdle();
        var lost = new LedgerEntry(accountId, tail.LastLedgerSequence + 1, LedgerEntryType.Charge, -250, keyId, "m", 2, 2, null, DateTimeOffset.UtcNow);
        await store.RecordAsync([new AccountingBatch(accountId, tail.LastBatchSequence + 1, [lost], [])]);

        Assert.Equal(1_000_000 - 400 - 250, (await account.Get())!.BalanceMicros);
        var next = await key.Admit(new AdmissionRequest(10, 100));
        await key.Settle(new Settlement(next.Ticket, "m", 1, 1, 50));
        // The key's lease predates this activation, so reads cannot know to ask it: its tick sends the charge.
        await key.SendCharges();
        var ledger = (await account.GetLedger(0, 100)).Entries;
        Assert.Equal(ledger.Select((_, i) => (long)i + 1), ledger.Select(e => e.Sequence));
        Assert.Equal(1_000_000 - 400 - 250 - 50, ledger.Sum(e => e.AmountMicros));
        Assert.Equal(ledger.Sum(e => e.AmountMicros), (await account.Get())!.BalanceMicros);
    }

    [Fact]
    public async Task A_key_whose_row_cannot_be_written_is_revoked_and_unindexed_not_left_live_and_unlisted()
    {
        var account = await Accounts.Create(Grains, balanceMicros: 1_000_000);
        var (keyId, hash) = Accounts.NewKey();
        var key = Grains.GetGrain<IApiKeyGrain>(GrainKeys.ForKeyHash(hash));
        // A real failure of the accounting store's insert for this key only; the other tests' keys are written as usual.
        await using (var database = new SqliteConnection($"Data Source={Path.Combine(fixture.DataDirectory, "dosai.db")}"))
        {
            await database.OpenAsync();
            await using var trigger = database.CreateCommand();
            trigger.CommandText = $"CREATE TRIGGER refuse_{keyId} BEFORE INSERT ON dosai_account_keys WHEN NEW.key_id = '{keyId}' " +
                "BEGIN SELECT RAISE(ABORT, 'injected failure'); END";
            await trigger.ExecuteNonQueryAsync();
        }

        await Assert.ThrowsAnyAsync<Exception>(() => account.CreateKey(keyId, "test", hash, Accounts.Hint));

        Assert.Equal(AdmissionOutcome.InvalidKey, (await key.Admit(new AdmissionRequest(1, 1))).Outcome);
        Assert.Null(await Grains.GetGrain<IKeyIndexGrain>(keyId).GetAccountId());
        Assert.DoesNotContain(await account.ListKeys(), listed => listed.Id == keyId);
    }

    [Fact]
    public async Task A_key_that_cannot_answer_does_not_keep_a_new_plan_from_the_accounts_other_keys()
    {
        var account = await Accounts.Create(Grains, balanceMicros: 1_000_000);
        var (_, broken) = await Accounts.CreateKey(Grains, account);
        var serving = new List<IApiKeyGrain>();
        for (var i = 0; i < 70; i++) // past the first group of keys called at once
        {
            var (_, key) = await Accounts.CreateKey(Grains, account);
            Assert.Equal(AdmissionOutcome.Admitted, (await key.Admit(new AdmissionRequest(1, 1))).Outcome); // active: it learns a plan only when told
            serving.Add(key);
        }

        // The first key (not active: it has served nothing) has a stored state it cannot read, so every call to it fails.
        await Poll.Until(() => fixture.ActiveKey(broken) is null);
        var stored = new GrainState<global::DosAi.Orleans.Grains.ApiKeys.ApiKeyState>();
        await Storage.ReadStateAsync("apikey", broken.GetGrainId(), stored);
        await Storage.WriteStateAsync("apikey", broken.GetGrainId(), new GrainState<string>("not a key's state") { ETag = stored.ETag, RecordExists = true });
        await Assert.ThrowsAnyAsync<Exception>(() => broken.GetInfo());

        await Assert.ThrowsAnyAsync<Exception>(() => account.SetPlan("pro"));

        Assert.Equal(300, (await account.Get())!.Limits.RequestsPerMinute);
        foreach (var key in serving)
        {
            Assert.Equal(300, (await key.Admit(new AdmissionRequest(1, 1))).Limits!.RequestLimit);
        }
    }

    [Fact]
    public async Task Keys_listed_in_an_account_state_written_before_keys_were_rows_move_to_the_store_on_activation()
    {
        var account = await Accounts.Create(Grains, balanceMicros: 1_000_000);
        var accountId = account.GetPrimaryKeyString();
        var (keyId, key) = await Accounts.CreateKey(Grains, account);
        var store = SqliteStores.In(fixture.DataDirectory);
        Assert.Equal(key.GetPrimaryKeyString(), (await store.ReadKeysAsync(accountId))[keyId]);

        // The state as the previous version wrote it: the key in the account's state, no row.
        await Deactivate(account);
        var stored = new GrainState<global::DosAi.Orleans.Grains.Accounts.AccountState>();
        await Storage.ReadStateAsync("account", account.GetGrainId(), stored);
        stored.State!.Keys[keyId] = key.GetPrimaryKeyString();
        await Storage.WriteStateAsync("account", account.GetGrainId(), stored);
        await store.RemoveKeyAsync(accountId, keyId);

        Assert.Equal(keyId, (await account.ListKeys()).Single().Id);
        Assert.Equal(key.GetPrimaryKeyString(), (await store.ReadKeysAsync(accountId))[keyId]);
        Assert.Empty((await StoredState(account)).Keys);
        Assert.Equal(1, (await account.Get())!.KeyCount);

        Assert.True(await account.DeleteKey(keyId));
        Assert.Empty(await store.ReadKeysAsync(accountId));
        Assert.Empty(await account.ListKeys());
    }

    [Fact]
    public async Task Credit_references_are_rows_of_the_store_not_state_and_still_answer_repeats_after_a_new_activation()
    {
        var account = await Accounts.Create(Grains, balanceMicros: 3_000_000);
        var accountId = account.GetPrimaryKeyString();
        await account.AddCredits(2_000_000, "order-7");
        var clamped = await account.AddCredits(-10_000_000, "correction-7");

        await Deactivate(account);

        Assert.Equal(CreditOutcome.Repeated, (await account.AddCredits(2_000_000, "order-7"))!.Outcome);
        Assert.Equal(CreditOutcome.ReferenceConflict, (await account.AddCredits(1_000_000, "order-7"))!.Outcome);
        // Answered by what the debit asked for, not the -5,000,000 it could take.
        Assert.Equal(-5_000_000, clamped!.AppliedMicros);
        Assert.Equal(CreditOutcome.Repeated, (await account.AddCredits(-10_000_000, "correction-7"))!.Outcome);
        Assert.Equal(0, (await account.Get())!.BalanceMicros);
        var store = SqliteStores.In(fixture.DataDirectory);
        Assert.Equal(2_000_000, await store.ReadCreditReferenceAsync(accountId, "order-7"));
        Assert.Equal(-10_000_000, await store.ReadCreditReferenceAsync(accountId, "correction-7"));
        Assert.Empty((await StoredState(account)).CreditReferences);
    }

    [Fact]
    public async Task Credit_references_in_an_account_state_written_before_they_were_rows_move_to_the_store_on_activation()
    {
        var account = await Accounts.Create(Grains, balanceMicros: 1_000_000);
        var accountId = account.GetPrimaryKeyString();
        await Deactivate(account);
        // The state as the previous version wrote it: a top-up's reference in the account's state, no row.
        var stored = new GrainState<global::DosAi.Orleans.Grains.Accounts.AccountState>();
        await Storage.ReadStateAsync("account", account.GetGrainId(), stored);
        stored.State!.CreditReferences["invoice-1"] = 1_000_000;
        await Storage.WriteStateAsync("account", account.GetGrainId(), stored);

        Assert.Equal(CreditOutcome.Repeated, (await account.AddCredits(1_000_000, "invoice-1"))!.Outcome);
        Assert.Equal(CreditOutcome.ReferenceConflict, (await account.AddCredits(2_000_000, "invoice-1"))!.Outcome);
        Assert.Equal(1_000_000, (await account.Get())!.BalanceMicros);
        Assert.Equal(1_000_000, await SqliteStores.In(fixture.DataDirectory).ReadCreditReferenceAsync(accountId, "invoice-1"));
        Assert.Empty((await StoredState(account)).CreditReferences);
    }

    [Fact]
    public async Task A_top_up_whose_state_write_failed_is_made_durable_before_a_retry_is_answered_as_applied()
    {
        var account = await Accounts.Create(Grains, balanceMicros: 1_000_000);
        var accountId = account.GetPrimaryKeyString();
        var trigger = "refuse_state_" + Guid.NewGuid().ToString("N");
        // A real failure of this account's state write only; every other grain writes as usual.
        await Sql($"CREATE TRIGGER {trigger} BEFORE UPDATE ON OrleansStorage WHEN NEW.GrainIdExtensionString LIKE '%{accountId}%' " +
            "BEGIN SELECT RAISE(ABORT, 'injected failure'); END");

        await Assert.ThrowsAnyAsync<Exception>(() => account.AddCredits(2_000_000, "payment-9"));

        await Sql($"DROP TRIGGER {trigger}");
        // Answered as applied only once it is durable: its ledger entry is in the store at once, and a new activation
        // (as after a crash) still has it.
        Assert.Equal(CreditOutcome.Repeated, (await account.AddCredits(2_000_000, "payment-9"))!.Outcome);
        Assert.Equal(2_000_000, await SqliteStores.In(fixture.DataDirectory).ReadCreditReferenceAsync(accountId, "payment-9"));
        await Deactivate(account);
        Assert.Equal(3_000_000, (await account.Get())!.BalanceMicros);
        var ledger = (await account.GetLedger(0, 100)).Entries;
        Assert.Single(ledger, entry => entry.Reference == "payment-9");
        Assert.Equal(3_000_000, ledger.Sum(entry => entry.AmountMicros));
    }

    private async Task Sql(string statement)
    {
        await using var database = new SqliteConnection($"Data Source={Path.Combine(fixture.DataDirectory, "dosai.db")}");
        await database.OpenAsync();
        await using var command = database.CreateCommand();
        command.CommandText = statement;
        await command.ExecuteNonQueryAsync();
    }

    private IGrainStorage Storage =>
        ((InProcessSiloHandle)fixture.Cluster.Silos[0]).SiloHost.Services.GetRequiredKeyedService<IGrainStorage>(StorageNames.Default);

    private async Task Deactivate(IAccountGrain account)
    {
        await account.Cast<global::Orleans.Core.Internal.IGrainManagementExtension>().DeactivateOnIdle();
        await Poll.Until(async () => !(await Grains.GetGrain<IManagementGrain>(0).GetActiveGrains(account.GetGrainId().Type)).Contains(account.GetGrainId()));
    }

    private async Task<global::DosAi.Orleans.Grains.Accounts.AccountState> StoredState(IAccountGrain account)
    {
        var stored = new GrainState<global::DosAi.Orleans.Grains.Accounts.AccountState>();
        await Storage.ReadStateAsync("account", account.GetGrainId(), stored);
        return stored.State!;
    }
}
