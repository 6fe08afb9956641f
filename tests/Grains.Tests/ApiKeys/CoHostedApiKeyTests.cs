using DosAi.Orleans.Grains.ApiKeys;
using DosAi.Orleans.Grains.Interfaces.ApiKeys;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Core.Internal;
using Orleans.TestingHost;

namespace DosAi.Orleans.Grains.Tests.ApiKeys;

/// <summary>A key grain reached in-process (as a co-hosted gateway does) and through grain calls at once.</summary>
[Collection(ClusterCollection.Name)]
public sealed class CoHostedApiKeyTests(ClusterFixture fixture)
{
    private IGrainFactory Grains => fixture.Grains;

    [Fact]
    public async Task In_process_and_grain_call_admissions_share_one_exact_window()
    {
        var account = await Accounts.Accounts.Create(Grains, balanceMicros: 1_000_000);
        var (_, key) = await Accounts.Accounts.CreateKey(Grains, account);
        var request = new AdmissionRequest(10, 1);
        Assert.Equal(AdmissionOutcome.Admitted, (await key.Admit(request)).Outcome);
        var inProcess = Find(key)!;
        Assert.True(inProcess.TryAdmit(request, out var first));
        Assert.Equal(AdmissionOutcome.Admitted, first.Outcome);

        var outcomes = await Task.WhenAll(Enumerable.Range(0, 120).Select(attempt => Task.Run(async () =>
        {
            if (attempt % 2 == 0 && inProcess.TryAdmit(request, out var admission))
            {
                return admission.Outcome;
            }

            return (await key.Admit(request)).Outcome;
        })));

        // The Free plan's 60 requests a minute, two of them admitted above (one each way); the clock stands still.
        Assert.Equal(58, outcomes.Count(outcome => outcome == AdmissionOutcome.Admitted));
        Assert.Equal(62, outcomes.Count(outcome => outcome == AdmissionOutcome.RequestsExceeded));
        var refused = await key.Admit(request);
        Assert.Equal((AdmissionOutcome.RequestsExceeded, 60), (refused.Outcome, refused.Limits!.RequestsUsed));
    }

    [Fact]
    public async Task In_process_settlements_reach_the_account_and_correct_the_window()
    {
        var account = await Accounts.Accounts.Create(Grains, balanceMicros: 1_000_000);
        var (_, key) = await Accounts.Accounts.CreateKey(Grains, account);
        var first = await key.Admit(new AdmissionRequest(1_000, 100));
        await key.Settle(new Settlement(first.Ticket, "m", 1, 1, 60));
        var inProcess = Find(key)!;

        for (var request = 0; request < 5; request++)
        {
            Assert.True(inProcess.TryAdmit(new AdmissionRequest(1_000, 100), out var admission));
            Assert.Equal(AdmissionOutcome.Admitted, admission.Outcome);
            Assert.True(inProcess.TrySettle(new Settlement(admission.Ticket, "m", 2, 3, 60)));
        }

        var balance = 0L;
        await Poll.Until(async () => (balance = (await account.Get())!.BalanceMicros) == 1_000_000 - 6 * 60);

        Assert.Equal(1_000_000 - 6 * 60, balance);
        // Each request's 1,000 estimated tokens were replaced by what it used: 2 + 5 × 5.
        Assert.Equal(27, (await key.Admit(new AdmissionRequest(0, 100))).Limits!.TokensUsed);
    }

    [Fact]
    public async Task A_deactivated_key_is_reached_through_its_grain_again()
    {
        var account = await Accounts.Accounts.Create(Grains, balanceMicros: 1_000_000);
        var (_, key) = await Accounts.Accounts.CreateKey(Grains, account);
        Assert.Equal(AdmissionOutcome.Admitted, (await key.Admit(new AdmissionRequest(10, 1))).Outcome);
        var before = Find(key)!;

        await key.Cast<IGrainManagementExtension>().DeactivateOnIdle();
        await Poll.Until(() => Find(key) is null);

        Assert.Null(Find(key));
        Assert.False(before.TryAdmit(new AdmissionRequest(10, 1), out _));
        var admitted = await key.Admit(new AdmissionRequest(10, 1));
        Assert.Equal((AdmissionOutcome.Admitted, 2), (admitted.Outcome, admitted.Limits!.RequestsUsed));
        Assert.NotSame(before, Find(key));
    }

    private ICoHostedApiKey? Find(IApiKeyGrain key) => fixture.ActiveKey(key);
}
