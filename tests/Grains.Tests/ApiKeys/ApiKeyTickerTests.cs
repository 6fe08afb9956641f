using DosAi.Orleans.Grains.ApiKeys;
using DosAi.Orleans.Grains.Interfaces.Accounts;
using DosAi.Orleans.Grains.Interfaces.ApiKeys;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Core.Internal;
using Orleans.TestingHost;

namespace DosAi.Orleans.Grains.Tests.ApiKeys;

/// <summary>
/// The silos' key tickers, visited by hand on a cluster whose loops never run, so each step is seen.
/// In the shared collection, so no other test moves the shared clock meanwhile.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class ApiKeyTickerTests(QuietClusterFixture quiet) : IClassFixture<QuietClusterFixture>
{
    private const long Balance = 1_000_000;
    private const long Cost = 70;

    private IGrainFactory Grains => quiet.Grains;

    [Fact]
    public async Task A_visit_takes_the_charges_every_key_of_an_account_holds_to_it()
    {
        var account = await Accounts.Accounts.Create(Grains, balanceMicros: Balance);
        for (var i = 0; i < 3; i++)
        {
            var (_, key) = await Accounts.Accounts.CreateKey(Grains, account);
            await AdmitAndSettle(key, requests: 2);
        }

        // A new activation of the account knows of no leases, so its reads ask no key: only what arrived counts.
        await Reactivate(account);
        Assert.Equal(Balance, (await account.Get())!.BalanceMicros);

        await VisitAll();
        Assert.Equal(Balance - 6 * Cost, (await account.Get())!.BalanceMicros);
        var charges = (await account.GetLedger(0, 100)).Entries.Count(entry => entry.Type == LedgerEntryType.Charge);
        Assert.Equal(6, charges);
    }

    [Fact]
    public async Task Every_visit_takes_the_charges_held_since_the_last_one_exactly_once()
    {
        var account = await Accounts.Accounts.Create(Grains, balanceMicros: Balance);
        var (_, key) = await Accounts.Accounts.CreateKey(Grains, account);
        var settled = 0;
        for (var visit = 1; visit <= 5; visit++)
        {
            await AdmitAndSettle(key, requests: visit);
            settled += visit;
            await VisitAll(); // a key fills the list its last charges went out in again
        }

        await Reactivate(account); // asks no key: only what the visits brought counts
        Assert.Equal(Balance - settled * Cost, (await account.Get())!.BalanceMicros);
        var charges = (await account.GetLedger(0, 100)).Entries.Count(entry => entry.Type == LedgerEntryType.Charge);
        Assert.Equal(settled, charges);
    }

    [Fact]
    public async Task A_lease_share_stays_held_until_its_charge_is_taken()
    {
        var account = await Accounts.Accounts.Create(Grains, balanceMicros: Balance);
        var (_, key) = await Accounts.Accounts.CreateKey(Grains, account);
        var (_, other) = await Accounts.Accounts.CreateKey(Grains, account);
        await AdmitAndSettle(key, requests: 1);

        ClusterFixture.Clock.Advance(TimeSpan.FromSeconds(6));
        await VisitAll(); // takes the charge; its lease share comes back once the account has it
        await VisitAll(); // the lease is idle with nothing in flight: the key gives it back
        Assert.Equal(AdmissionOutcome.Admitted, (await other.Admit(new AdmissionRequest(10, Balance - Cost))).Outcome);
    }

    [Fact]
    public async Task Visits_that_do_not_tend_leases_still_take_the_charges()
    {
        var account = await Accounts.Accounts.Create(Grains, balanceMicros: Balance);
        var (_, key) = await Accounts.Accounts.CreateKey(Grains, account);
        await AdmitAndSettle(key, requests: 2);

        await VisitAll(tendLeases: false);
        await Reactivate(account); // asks no key: only what the visit brought counts
        Assert.Equal(Balance - 2 * Cost, (await account.Get())!.BalanceMicros);
    }

    [Fact]
    public async Task Only_visits_that_tend_leases_give_an_idle_lease_back()
    {
        var account = await Accounts.Accounts.Create(Grains, balanceMicros: Balance);
        var (_, key) = await Accounts.Accounts.CreateKey(Grains, account);
        var (_, other) = await Accounts.Accounts.CreateKey(Grains, account);
        await key.SetLimits(new PlanLimits("test", RequestsPerMinute: 100, TokensPerMinute: 1_000_000)); // every request is worth saving
        await AdmitAndSettle(key, requests: 1);
        await account.Get(); // the account's read takes the charge: nothing of the lease is in flight any more
        var rest = new AdmissionRequest(10, Balance - Cost);

        ClusterFixture.Clock.Advance(TimeSpan.FromSeconds(6));
        await VisitAll(tendLeases: false); // the key gets a turn to save its admission, with its lease idle
        Assert.Equal(AdmissionOutcome.InsufficientCredits, (await other.Admit(rest)).Outcome);

        await VisitAll(tendLeases: true);
        Assert.Equal(AdmissionOutcome.Admitted, (await other.Admit(rest)).Outcome);
    }

    [Fact]
    public async Task Account_reads_during_a_visit_include_the_charges_on_their_way()
    {
        for (var round = 0; round < 10; round++)
        {
            var account = await Accounts.Accounts.Create(Grains, balanceMicros: Balance);
            var (_, key) = await Accounts.Accounts.CreateKey(Grains, account);
            await AdmitAndSettle(key, requests: 3);

            var visit = VisitAll();
            var read = await account.Get();
            await visit;
            Assert.Equal(Balance - 3 * Cost, read!.BalanceMicros);
        }
    }

    [Fact]
    public async Task Account_reads_wait_for_charges_a_visit_has_on_their_way()
    {
        var account = await Accounts.Accounts.Create(Grains, balanceMicros: Balance);
        var (_, key) = await Accounts.Accounts.CreateKey(Grains, account);
        await AdmitAndSettle(key, requests: 3);

        Task visit;
        Task<AccountSnapshot?> read;
        using (HeldChargeDelivery.Hold(account))
        {
            visit = VisitAll(); // the key no longer holds its charges; the account does not have them yet
            read = account.Get();
            await Task.Delay(TimeSpan.FromMilliseconds(300)); // long enough for a read that does not wait to answer
        }

        await visit;
        Assert.Equal(Balance - 3 * Cost, (await read)!.BalanceMicros);
    }

    private static async Task AdmitAndSettle(IApiKeyGrain key, int requests)
    {
        for (var i = 0; i < requests; i++)
        {
            var admission = await key.Admit(new AdmissionRequest(10, 100));
            Assert.NotEqual(0, admission.Ticket.LeasedMicros);
            await key.Settle(new Settlement(admission.Ticket, "m", 4, 6, Cost));
        }
    }

    private static async Task Reactivate(IAccountGrain account) => await account.Cast<IGrainManagementExtension>().DeactivateOnIdle();

    private Task VisitAll(bool tendLeases = true) => Task.WhenAll(quiet.Cluster.Silos
        .Select(silo => ((InProcessSiloHandle)silo).SiloHost.Services.GetRequiredService<ApiKeyTicker>().VisitAll(tendLeases)));
}
