using System.Diagnostics.CodeAnalysis;
using DosAi.Orleans.Grains.Interfaces.ApiKeys;

namespace DosAi.Orleans.Grains.ApiKeys;

/// <summary>
/// A key grain active in this process, reached by a gateway in the same process without a grain call.
/// Each method does only what needs no call to the account and answers false when the request must go
/// through <see cref="IApiKeyGrain"/> instead (no lease to spend, the key deactivating, too many charges held).
/// </summary>
public interface ICoHostedApiKey
{
    /// <summary>The key was created and not deleted.</summary>
    bool Exists { get; }

    bool TryAdmit(AdmissionRequest request, [NotNullWhen(true)] out Admission? admission);

    bool TrySettle(Settlement settlement);
}
