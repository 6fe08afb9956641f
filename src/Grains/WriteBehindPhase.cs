namespace DosAi.Orleans.Grains;

/// <summary>
/// Where a grain's periodic write-behind deadline (an account's checkpoint, a key's longest unsaved spell)
/// starts counting. Grains activated together — a silo's start, the first requests after a restart — would
/// otherwise reach the deadline together and write together, every period: 200 accounts activated within a
/// second wrote their checkpoints within the same few seconds each minute, and the gateway's p99 at
/// 2,000 req/s took the hit. Counting from a random point of the last period spreads them over the period;
/// a grain's first write comes earlier, never later, than without it.
/// </summary>
public static class WriteBehindPhase
{
    public static DateTimeOffset PeriodStart(DateTimeOffset now, TimeSpan period) => now - period * Random.Shared.NextDouble();
}
