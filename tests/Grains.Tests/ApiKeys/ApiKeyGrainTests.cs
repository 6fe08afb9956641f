using DosAi.Orleans.Grains.ApiKeys;
using DosAi.Orleans.Grains.Interfaces.ApiKeys;
using DosAi.Orleans.Grains.Tests.Accounts;
using Orleans.Core.Internal;

namespace DosAi.Orleans.Grains.Tests.ApiKeys;

[Collection(ClusterCollection.Name)]
public sealed class ApiKeyGrainTests(ClusterFixture fixture)
{
    private IGrainFactory Grains => fixture.Grains;

    [Fact]
    public async Task Admits_exactly_the_plan_limit_and_retry_after_is_when_it_succeeds()
    {
        var account = await Accounts.Accounts.Create(Grains, balanceMicros: 1_000_000);
        var (_, key) = await Accounts.Accounts.CreateKey(Grains, account);

        var outcomes = new List<AdmissionOutcome>();
        for (var i = 0; i < 70; i++)
        {
            outcomes.Add((await key.Admit(new AdmissionRequest(10, 1))).Outcome);
            ClusterFixture.Clock.Advance(TimeSpan.FromMilliseconds(100));
        }

        Assert.Equal(60, outcomes.Count(o => o == AdmissionOutcome.Admitted));
        var refused = await key.Admit(new AdmissionRequest(10, 1));
        Assert.Equal(AdmissionOutcome.RequestsExceeded, refused.Outcome);
        Assert.Equal(60, refused.Limits!.RequestsUsed);

        ClusterFixture.Clock.Advance(refused.RetryAfter - TimeSpan.FromTicks(1));
        Assert.Equal(AdmissionOutcome.RequestsExceeded, (await key.Admit(new AdmissionRequest(10, 1))).Outcome);
        ClusterFixture.Clock.Advance(TimeSpan.FromTicks(1));
        Assert.Equal(AdmissionOutcome.Admitted, (await key.Admit(new AdmissionRequest(10, 1))).Outcome);
    }

    [Fact]
    public async Task Token_limit_and_too_large_requests()
    {
        var account = await Accounts.Accounts.Create(Grains, balanceMicros: 1_000_000);
        var (_, key) = await Accounts.Accounts.CreateKey(Grains, account);

        Assert.Equal(AdmissionOutcome.RequestTooLarge, (await key.Admit(new AdmissionRequest(100_001, 1))).Outcome);
        Assert.Equal(AdmissionOutcome.Admitted, (await key.Admit(new AdmissionRequest(90_000, 1))).Outcome);
        var refused = await key.Admit(new AdmissionRequest(20_000, 1));
        Assert.Equal(AdmissionOutcome.TokensExceeded, refused.Outcome);
        Assert.Equal(TimeSpan.FromSeconds(60), refused.RetryAfter);
    }

    [Fact]
    public async Task Deleting_a_key_revokes_it_at_once()
    {
        var account = await Accounts.Accounts.Create(Grains, balanceMicros: 1_000_000);
        var (keyId, key) = await Accounts.Accounts.CreateKey(Grains, account);
        Assert.Equal(AdmissionOutcome.Admitted, (await key.Admit(new AdmissionRequest(1, 1))).Outcome);

        Assert.True(await account.DeleteKey(keyId));

        Assert.Equal(AdmissionOutcome.InvalidKey, (await key.Admit(new AdmissionRequest(1, 1))).Outcome);
        Assert.Empty(await account.ListKeys());
        Assert.False(await account.DeleteKey(keyId));
    }

    [Fact]
    public async Task A_plan_change_reaches_every_key_of_the_account()
    {
        var account = await Accounts.Accounts.Create(Grains, balanceMicros: 1_000_000);
        var keys = new List<IApiKeyGrain>();
        for (var i = 0; i < 3; i++)
        {
            keys.Add((await Accounts.Accounts.CreateKey(Grains, account)).Key);
        }

        Assert.True(await account.SetPlan("pro"));

        foreach (var key in keys)
        {
            var admission = await key.Admit(new AdmissionRequest(1, 1));
            Assert.Equal((300, 2_000_000L), (admission.Limits!.RequestLimit, admission.Limits.TokenLimit));
        }

        Assert.Equal("Pro", (await account.Get())!.Limits.Plan);
        Assert.False(await account.SetPlan("Platinum"));
    }

    [Fact]
    public async Task A_key_admits_on_its_credit_lease_and_gives_it_back_once_idle()
    {
        var account = await Accounts.Accounts.Create(Grains, balanceMicros: 1_000_000);
        var (_, busy) = await Accounts.Accounts.CreateKey(Grains, account);
        var (_, other) = await Accounts.Accounts.CreateKey(Grains, account);

        var admitted = await busy.Admit(new AdmissionRequest(10, 100));
        Assert.Equal((0L, 100L), (admitted.Ticket.Reservation, admitted.Ticket.LeasedMicros));
        await busy.Settle(new Settlement(admitted.Ticket, "m", 1, 1, 60));

        // The lease still holds 16 × 100 µUSD: almost the whole balance does not fit next to it.
        var almostAll = new AdmissionRequest(10, 1_000_000 - 60 - 1_000);
        Assert.Equal(AdmissionOutcome.InsufficientCredits, (await other.Admit(almostAll)).Outcome);

        // Past the ticker's first visit (at most one 200 ms interval after the admission), so the release
        // below needs the key to have stayed with the ticker.
        await Task.Delay(500);
        ClusterFixture.Clock.Advance(TimeSpan.FromSeconds(6));
        var outcome = AdmissionOutcome.InsufficientCredits;
        // The silo's key ticker has the key give its idle lease back: it tends leases every tenth visit, 2 s here.
        await Poll.Until(async () => (outcome = (await other.Admit(almostAll)).Outcome) != AdmissionOutcome.InsufficientCredits);

        Assert.Equal(AdmissionOutcome.Admitted, outcome);
    }

    [Fact]
    public async Task A_key_spends_no_more_than_its_lease_once_the_rest_of_the_balance_is_gone()
    {
        var account = await Accounts.Accounts.Create(Grains, balanceMicros: 102_400); // 64 × a 16-request lease
        var (_, key) = await Accounts.Accounts.CreateKey(Grains, account);
        var first = await key.Admit(new AdmissionRequest(10, 100));
        Assert.Equal(100L, first.Ticket.LeasedMicros);
        await key.Settle(new Settlement(first.Ticket, "m", 5, 5, 100));

        // A chargeback takes everything not set aside: the lease's 1,600 µUSD are all the key may still spend.
        await account.AddCredits(-1_000_000, "chargeback");

        var admitted = 1;
        for (var i = 0; i < 40; i++)
        {
            var admission = await key.Admit(new AdmissionRequest(10, 100));
            if (admission.Outcome != AdmissionOutcome.Admitted)
            {
                Assert.Equal(AdmissionOutcome.InsufficientCredits, admission.Outcome);
                break;
            }

            admitted++;
            await key.Settle(new Settlement(admission.Ticket, "m", 5, 5, 100)); // each costs what it was estimated at
            await key.SendCharges(); // once the account has a charge, the lease must not take its share as free again
        }

        Assert.Equal(KeyCreditLease.RequestsPerLease, admitted);
        Assert.Equal(0, (await account.Get())!.BalanceMicros);
    }

    [Fact]
    public async Task Unknown_keys_are_refused()
    {
        var key = Grains.GetGrain<IApiKeyGrain>("k_" + new string('0', 64));
        Assert.Equal(AdmissionOutcome.InvalidKey, (await key.Admit(new AdmissionRequest(1, 1))).Outcome);
    }

    [Fact]
    public async Task A_key_never_created_leaves_memory_once_it_has_answered_and_a_deleted_one_stays()
    {
        var unknown = Grains.GetGrain<IApiKeyGrain>("k_" + Convert.ToHexStringLower(Guid.NewGuid().ToByteArray()));
        var asked = Grains.GetGrain<IApiKeyGrain>("k_" + Convert.ToHexStringLower(Guid.NewGuid().ToByteArray()));
        var account = await Accounts.Accounts.Create(Grains, balanceMicros: 1_000_000);
        var (keyId, deleted) = await Accounts.Accounts.CreateKey(Grains, account);
        await account.DeleteKey(keyId);

        Assert.Equal(AdmissionOutcome.InvalidKey, (await unknown.Admit(new AdmissionRequest(1, 1))).Outcome);
        Assert.Null(await asked.GetInfo());
        Assert.Equal(AdmissionOutcome.InvalidKey, (await deleted.Admit(new AdmissionRequest(1, 1))).Outcome);

        await Poll.Until(() => (fixture.ActiveKey(unknown) ?? fixture.ActiveKey(asked)) is null);

        Assert.Null(fixture.ActiveKey(unknown));
        Assert.Null(fixture.ActiveKey(asked));
        Assert.NotNull(fixture.ActiveKey(deleted));
        Assert.Equal(AdmissionOutcome.InvalidKey, (await unknown.Admit(new AdmissionRequest(1, 1))).Outcome);
    }

    [Fact]
    public async Task A_gateways_check_that_a_key_is_live_keeps_it_for_the_request_that_follows_and_a_made_up_key_leaves()
    {
        var account = await Accounts.Accounts.Create(Grains, balanceMicros: 1_000_000);
        var (_, live) = await Accounts.Accounts.CreateKey(Grains, account);
        var (deletedId, deleted) = await Accounts.Accounts.CreateKey(Grains, account);
        await account.DeleteKey(deletedId);
        var madeUp = Grains.GetGrain<IApiKeyGrain>("k_" + Convert.ToHexStringLower(Guid.NewGuid().ToByteArray()));
        await deleted.Cast<IGrainManagementExtension>().DeactivateOnIdle(); // a deleted key stays once active: make it cold too
        await AllGone([live, deleted]);

        Assert.True(await live.IsLive());
        Assert.False(await deleted.IsLive());
        Assert.False(await madeUp.IsLive());

        await Poll.Until(() => fixture.ActiveKey(madeUp) is null);
        Assert.Null(fixture.ActiveKey(madeUp));
        // Had the live key left like a listed one, its request would activate it a second time.
        await Task.Delay(300);
        Assert.NotNull(fixture.ActiveKey(live));
        Assert.NotNull(fixture.ActiveKey(deleted));
    }

    [Fact]
    public async Task Creating_listing_or_changing_the_plan_of_keys_leaves_no_activation_behind_for_keys_that_serve_no_requests()
    {
        var account = await Accounts.Accounts.Create(Grains, balanceMicros: 1_000_000);
        var (usedId, used) = await Accounts.Accounts.CreateKey(Grains, account);
        var idle = new List<IApiKeyGrain>();
        var indexes = new List<GrainId>();
        for (var i = 0; i < 3; i++)
        {
            var (keyId, key) = await Accounts.Accounts.CreateKey(Grains, account);
            idle.Add(key);
            indexes.Add(Grains.GetGrain<IKeyIndexGrain>(keyId).GetGrainId());
        }

        await AllGone(idle);
        await Poll.Until(async () => !(await Grains.GetGrain<IManagementGrain>(0).GetActiveGrains(indexes[0].Type)).Intersect(indexes).Any());
        Assert.Empty((await Grains.GetGrain<IManagementGrain>(0).GetActiveGrains(indexes[0].Type)).Intersect(indexes));
        Assert.Equal(AdmissionOutcome.Admitted, (await used.Admit(new AdmissionRequest(1, 1))).Outcome);

        var listed = await account.ListKeys();
        Assert.Equal(4, listed.Count);
        Assert.NotNull(listed.Single(key => key.Id == usedId).LastUsedAt);
        await AllGone(idle);
        Assert.NotNull(fixture.ActiveKey(used));

        Assert.True(await account.SetPlan("pro"));
        await AllGone(idle);
        Assert.NotNull(fixture.ActiveKey(used));
        Assert.Equal(300, (await used.Admit(new AdmissionRequest(1, 1))).Limits!.RequestLimit);
        Assert.Equal(300, (await idle[0].Admit(new AdmissionRequest(1, 1))).Limits!.RequestLimit);
    }

    private async Task AllGone(IReadOnlyList<IApiKeyGrain> keys)
    {
        await Poll.Until(() => keys.All(key => fixture.ActiveKey(key) is null));

        Assert.All(keys, key => Assert.Null(fixture.ActiveKey(key)));
    }
}
