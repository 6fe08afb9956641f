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

    /// <summary>
    /// A write-behind timer whose first tick falls at a random point of the interval: grains activated
    /// together (a burst of new keys) would otherwise all tick in the same millisecond, every interval,
    /// and the requests arriving then would queue behind thousands of timer turns.
    /// </summary>
    public GrainTimerCreationOptions Timer(bool interleave) =>
        new(WriteBehindInterval * Random.Shared.NextDouble(), WriteBehindInterval) { Interleave = interleave };
}
