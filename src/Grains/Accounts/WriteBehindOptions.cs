namespace DosAi.Orleans.Grains.Accounts;

/// <summary>
/// Configuration section <c>Persistence</c>. Charges, last-used times and ledger entries are kept in
/// memory and written behind (and on graceful shutdown); a crash can lose what was not written yet.
/// Top-ups and key create/delete are written before they are acknowledged.
/// </summary>
public sealed class WriteBehindOptions
{
    public const string Section = "Persistence";

    /// <summary>The key ticker visits a tenth of the keys per tick, and a timer ticks at most every millisecond.</summary>
    public static readonly TimeSpan ShortestInterval = TimeSpan.FromMilliseconds(10);

    /// <summary>How often keys send their leased charges to their accounts and save their windows when due.</summary>
    public TimeSpan WriteBehindInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// How often accounts write the charges they have received to the ledger and usage tables. Reads of
    /// the ledger and usage write first, so this only bounds what a crash can lose. Measured on 2 cores
    /// with 200 busy accounts: 1 s instead of 5 s doubled the gateway's p99 at 2,000 req/s.
    /// </summary>
    public TimeSpan LedgerWriteInterval { get; set; } = TimeSpan.FromSeconds(5);
}
