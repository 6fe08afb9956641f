namespace DosAi.Orleans.Grains.Interfaces.Accounts;

/// <summary>
/// Maps one normalized e-mail address to its account and throttles logins for it (whether or not the
/// account exists, so throttling reveals nothing). Keyed by <see cref="GrainKeys.ForEmail"/>.
/// </summary>
[Alias("IEmailIndexGrain")]
public interface IEmailIndexGrain : IGrainWithStringKey
{
    /// <summary>Binds the address to the account (persisted); false when already taken.</summary>
    [Alias("Claim")] Task<bool> Claim(string accountId);

    [Alias("Release")] Task Release(string accountId);

    [Alias("GetAccountId")] Task<string?> GetAccountId();

    /// <summary>How long logins for this address are refused; zero when allowed.</summary>
    [Alias("GetLoginLockout")] Task<TimeSpan> GetLoginLockout();

    [Alias("RecordLogin")] Task RecordLogin(bool succeeded);
}
