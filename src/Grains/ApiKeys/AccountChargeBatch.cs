using DosAi.Orleans.Grains.Interfaces.Accounts;
using Microsoft.Extensions.Logging;

namespace DosAi.Orleans.Grains.ApiKeys;

/// <summary>
/// The charges that the keys of one account held at one visit of <see cref="ApiKeyTicker"/> (or one key's,
/// when it sends them itself), sent in one call. Each key's lease shares are given back once the account
/// has the charges, and <see cref="Arrived"/> completes then: a key asked to send what it holds (an account
/// read) waits for it first.
/// </summary>
internal sealed class AccountChargeBatch(string accountId, IAccountGrain account)
{
    private readonly List<(ApiKeyGrain Key, string KeyId, List<UnsentCharge> Charges)> parts = [];
    private readonly TaskCompletionSource arrived = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task Arrived => arrived.Task;

    public void Add(ApiKeyGrain key, string keyId, List<UnsentCharge> charges) => parts.Add((key, keyId, charges));

    public async Task Send(ILogger logger)
    {
        try
        {
            var charges = new Charge[parts.Sum(part => part.Charges.Count)];
            var next = 0;
            foreach (var (_, keyId, held) in parts)
            {
                foreach (var unsent in held)
                {
                    charges[next++] = unsent.ToCharge(keyId);
                }
            }

            await account.SettleCharges(charges);
        }
        catch (Exception exception)
        {
            // Not retried: the account may have applied them before the failure reached us, and a charge
            // applied twice is worse than one lost. The amounts are in the log for reconciliation.
            logger.LogError(exception, "Charges of {Keys} keys did not reach account {AccountId}: {Requests} requests, {CostMicros} micro-USD",
                parts.Count, accountId, parts.Sum(part => part.Charges.Count), parts.Sum(part => part.Charges.Sum(unsent => unsent.CostMicros)));
        }
        finally
        {
            foreach (var (key, _, held) in parts)
            {
                key.ChargesSent(held);
            }

            arrived.SetResult();
        }
    }
}
