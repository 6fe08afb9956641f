using DosAi.Orleans.Grains.Interfaces.Accounts;
using Orleans.Concurrency;

namespace DosAi.Orleans.Grains.Interfaces.ApiKeys;

/// <summary>
/// One API key, keyed by <see cref="GrainKeys.ForKeyHash"/>. Holds the key's metadata and its exact
/// in-memory sliding window; single activation is what makes the window exact across gateways.
/// </summary>
[Alias("IApiKeyGrain")]
public interface IApiKeyGrain : IGrainWithStringKey
{
    /// <summary>Called by the owning account; persisted before returning.</summary>
    [Alias("Initialize")] Task<KeyInfo> Initialize(string accountId, string keyId, string name, string hint, PlanLimits limits);

    [Alias("Admit")] Task<Admission> Admit(AdmissionRequest request);

    [Alias("Settle")] Task Settle(Settlement settlement);

    /// <summary>Sends the charges of leased requests the key is still holding to the account now (the account's reads ask for it).</summary>
    [Alias("SendCharges")] Task SendCharges();

    /// <summary>
    /// Saves the key's admissions when they are worth it and, when <paramref name="tendLease"/>, renews its
    /// credit lease or gives it back; the silo's key ticker asks for it. Interleaved, so admissions go on
    /// while the activity is being written.
    /// </summary>
    [AlwaysInterleave, Alias("Tend")] Task Tend(bool tendLease);

    /// <summary>The key's metadata, for its account's listing: a key that has served no request since its activation leaves once it has answered.</summary>
    [Alias("GetInfo")] Task<KeyInfo?> GetInfo();

    /// <summary>Whether the key was created and not deleted: a gateway's check before it reads a large request body. A live key stays active for the request that follows.</summary>
    [Alias("IsLive")] Task<bool> IsLive();

    /// <summary>Marks the key deleted (persisted before returning): every later admission is refused.</summary>
    [Alias("Revoke")] Task Revoke();

    [Alias("SetLimits")] Task SetLimits(PlanLimits limits);
}
