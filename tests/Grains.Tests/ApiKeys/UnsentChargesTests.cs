using DosAi.Orleans.Grains.Interfaces.Accounts;
using DosAi.Orleans.Grains.Interfaces.ApiKeys;

namespace DosAi.Orleans.Grains.Tests.ApiKeys;

/// <summary>
/// Charges of requests admitted on a credit lease wait in their key; on a cluster whose key tickers never
/// visit, only the key's own batch limit and the account's reads can bring them to the account.
/// In the shared collection, so no other test moves the shared clock meanwhile.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class UnsentChargesTests(QuietClusterFixture quiet) : IClassFixture<QuietClusterFixture>
{
    private IGrainFactory Grains => quiet.Grains;

    [Fact]
    public async Task Reads_of_the_account_include_charges_its_keys_have_not_sent_yet()
    {
        var account = await Accounts.Accounts.Create(Grains, balanceMicros: 1_000_000);
        var (keyId, key) = await Accounts.Accounts.CreateKey(Grains, account);
        for (var i = 0; i < 3; i++)
        {
            var admission = await key.Admit(new AdmissionRequest(10, 100));
            Assert.NotEqual(0, admission.Ticket.LeasedMicros);
            await key.Settle(new Settlement(admission.Ticket, "m", 4, 6, 70));
        }

        Assert.Equal(1_000_000 - 3 * 70, (await account.Get())!.BalanceMicros);
        var charges = (await account.GetLedger(0, 100)).Entries.Where(e => e.Type == LedgerEntryType.Charge).ToList();
        Assert.Equal(3, charges.Count);
        Assert.All(charges, charge => Assert.Equal((-70L, keyId, 4L, 6L), (charge.AmountMicros, charge.KeyId, charge.PromptTokens, charge.CompletionTokens)));
    }

    [Fact]
    public async Task A_held_charge_keeps_its_lease_share_and_a_full_batch_is_sent_without_a_read()
    {
        var account = await Accounts.Accounts.Create(Grains, plan: "Pro", balanceMicros: 10_000_000);
        var (_, busy) = await Accounts.Accounts.CreateKey(Grains, account);
        var (_, other) = await Accounts.Accounts.CreateKey(Grains, account);
        var first = await busy.Admit(new AdmissionRequest(10, 100));
        await busy.Settle(new Settlement(first.Ticket, "m", 1, 1, 100));

        // The lease holds room for 16 requests of 100; another key takes everything else.
        var rest = 10_000_000 - 16 * 100;
        Assert.Equal(AdmissionOutcome.InsufficientCredits, (await other.Admit(new AdmissionRequest(10, rest + 1))).Outcome);
        var everythingElse = await other.Admit(new AdmissionRequest(10, rest));
        Assert.Equal(AdmissionOutcome.Admitted, everythingElse.Outcome);

        // The unsent charge still holds its share: 15 more fit, not 16 (that would spend those 100 twice).
        var admitted = new List<Admission>();
        for (var i = 0; i < 16; i++)
        {
            admitted.Add(await busy.Admit(new AdmissionRequest(10, 100)));
        }

        Assert.Equal(15, admitted.Count(a => a.Outcome == AdmissionOutcome.Admitted));
        Assert.Equal(AdmissionOutcome.InsufficientCredits, admitted[^1].Outcome);
        foreach (var admission in admitted.Where(a => a.Outcome == AdmissionOutcome.Admitted))
        {
            await busy.Settle(new Settlement(admission.Ticket, "m", 1, 1, 100));
        }

        await other.Settle(new Settlement(everythingElse.Ticket, null, 0, 0, 0));
        ClusterFixture.Clock.Advance(TimeSpan.FromSeconds(1)); // the key asks for a lease again a second after a refusal

        // 16 charges wait in the key; 48 more make a batch of 64, which the key sends on its own.
        for (var i = 0; i < 48; i++)
        {
            var admission = await busy.Admit(new AdmissionRequest(10, 100));
            Assert.NotEqual(0, admission.Ticket.LeasedMicros);
            await busy.Settle(new Settlement(admission.Ticket, "m", 1, 1, 100));
        }


        // A new activation of the account knows of no leases, so its read asks no key: only what was sent counts.
        await account.Cast<global::Orleans.Core.Internal.IGrainManagementExtension>().DeactivateOnIdle();
        Assert.Equal(10_000_000 - 64 * 100, (await account.Get())!.BalanceMicros);
    }
}
