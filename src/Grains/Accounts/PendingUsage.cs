using DosAi.Orleans.Grains.Interfaces.Accounts;

namespace DosAi.Orleans.Grains.Accounts;

/// <summary>
/// One key's usage in one minute, summed in its account until the next ledger write. A value updated in
/// place: a new bucket object per charge, each held until the write, survived gen0 GCs.
/// </summary>
internal readonly record struct PendingUsage(long Requests, long PromptTokens, long CompletionTokens, long CostMicros)
{
    public PendingUsage Add(Charge charge) =>
        new(Requests + 1, PromptTokens + charge.PromptTokens, CompletionTokens + charge.CompletionTokens, CostMicros + charge.CostMicros);

    public UsageBucket ToBucket(string keyId, DateTimeOffset minute) =>
        new(keyId, minute, Requests, PromptTokens, CompletionTokens, CostMicros);
}
