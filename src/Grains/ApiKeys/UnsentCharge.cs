using DosAi.Orleans.Grains.Interfaces.Accounts;

namespace DosAi.Orleans.Grains.ApiKeys;

/// <summary>
/// A leased request's charge waiting to be sent, with the lease share it keeps held until then and the
/// account's lease that holds it (0: given back since). A value, not a <see cref="Charge"/> object: held up to
/// a write-behind interval, objects survived gen0 GCs.
/// </summary>
internal readonly record struct UnsentCharge(string? Model, long PromptTokens, long CompletionTokens, long CostMicros, DateTimeOffset At, long Leased, long LeaseEpoch, long LeaseId)
{
    public Charge ToCharge(string keyId) => new(keyId, Model, PromptTokens, CompletionTokens, CostMicros, At, LeaseId, Leased);
}
