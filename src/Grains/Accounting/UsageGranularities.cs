using DosAi.Orleans.Grains.Interfaces.Accounts;

namespace DosAi.Orleans.Grains.Accounting;

public static class UsageGranularities
{
    public static long Seconds(UsageGranularity granularity) => granularity switch
    {
        UsageGranularity.Minute => 60,
        UsageGranularity.Hour => 3_600,
        UsageGranularity.Day => 86_400,
        _ => throw new ArgumentOutOfRangeException(nameof(granularity), granularity, null),
    };

    public static DateTimeOffset MinuteOf(DateTimeOffset time) =>
        DateTimeOffset.FromUnixTimeSeconds(time.ToUnixTimeSeconds() / 60 * 60);
}
