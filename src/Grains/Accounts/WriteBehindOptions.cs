namespace DosAi.Orleans.Grains.Accounts;

/// <summary>
/// Configuration section <c>Persistence</c>. Charges, last-used times and ledger entries are kept in
/// memory and written at most this long after they happen (and on graceful shutdown); a crash can lose
/// at most this window. Top-ups and key create/delete are written before they are acknowledged.
/// </summary>
public sealed class WriteBehindOptions
{
    public const string Section = "Persistence";

    public TimeSpan WriteBehindInterval { get; set; } = TimeSpan.FromSeconds(1);
}
