using DosAi.Orleans.Grains.Interfaces.Accounts;

namespace DosAi.Orleans.Gateway.Api;

/// <summary>
/// Validates <c>GET /api/usage</c>: <c>from</c>/<c>to</c> in Unix seconds (default: the last 24 hours),
/// <c>granularity</c> minute|hour|day (default hour), optional <c>key_id</c>. The span is capped per
/// granularity so one response stays small: 7 days by minute, 93 days by hour, 3 years by day.
/// </summary>
public static class UsageRequest
{
    private static readonly long LatestSecond = DateTimeOffset.MaxValue.ToUnixTimeSeconds();

    public static string? Parse(long? from, long? to, string? granularity, string? keyId, DateTimeOffset now, out UsageQuery query)
    {
        query = null!;
        UsageGranularity? parsed = (granularity ?? "hour") switch
        {
            "minute" => UsageGranularity.Minute,
            "hour" => UsageGranularity.Hour,
            "day" => UsageGranularity.Day,
            _ => null,
        };
        if (parsed is not { } size)
        {
            return "granularity must be minute, hour or day.";
        }

        var end = to ?? now.ToUnixTimeSeconds();
        var start = from ?? end - 86_400;
        if (start < 0 || end > LatestSecond)
        {
            return $"from and to must be Unix seconds between 0 and {LatestSecond}.";
        }

        if (start >= end)
        {
            return "from must be before to (Unix seconds).";
        }

        var maxSpan = size switch
        {
            UsageGranularity.Minute => TimeSpan.FromDays(7),
            UsageGranularity.Hour => TimeSpan.FromDays(93),
            _ => TimeSpan.FromDays(3 * 366),
        };
        if (end - start > (long)maxSpan.TotalSeconds)
        {
            return $"At {granularity ?? "hour"} granularity the span may be at most {maxSpan.TotalDays} days.";
        }

        query = new UsageQuery(DateTimeOffset.FromUnixTimeSeconds(start), DateTimeOffset.FromUnixTimeSeconds(end), size, string.IsNullOrEmpty(keyId) ? null : keyId);
        return null;
    }
}
