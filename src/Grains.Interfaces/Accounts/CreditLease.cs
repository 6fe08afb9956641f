namespace DosAi.Orleans.Grains.Interfaces.Accounts;

/// <summary>
/// Credits an account sets aside for one key's requests in flight, so the key admits them without asking
/// the account each time.
/// </summary>
/// <param name="Id">The account's reservation for the lease; 0 when nothing is set aside.</param>
/// <param name="GrantedMicros">How much of the lease is new room for admissions (the rest covers requests already in flight).</param>
[GenerateSerializer, Immutable, Alias("CreditLease")]
public sealed record CreditLease(
    [property: Id(0)] long Id,
    [property: Id(1)] long GrantedMicros)
{
    public static readonly CreditLease None = new(0, 0);

    /// <summary>How long the account keeps a lease its key has not renewed.</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(1);

    /// <summary>How long a key spends from a lease before renewing it: well inside <see cref="Lifetime"/>.</summary>
    public static readonly TimeSpan RenewAfter = TimeSpan.FromSeconds(20);
}
