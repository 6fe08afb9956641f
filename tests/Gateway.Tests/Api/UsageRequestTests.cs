using DosAi.Orleans.Gateway.Api;

namespace DosAi.Orleans.Gateway.Tests.Api;

public sealed class UsageRequestTests
{
    private static readonly DateTimeOffset Now = DateTimeOffset.FromUnixTimeSeconds(1_800_000_000);

    [Theory]
    [InlineData(null, null, null, null)]
    [InlineData(1_799_000_000L, 1_800_000_000L, "day", null)]
    [InlineData(0L, 1L, "minute", null)]
    [InlineData(null, null, "week", "granularity must be minute, hour or day.")]
    [InlineData(1_800_000_000L, 1_799_000_000L, null, "from must be before to (Unix seconds).")]
    [InlineData(5L, 5L, null, "from must be before to (Unix seconds).")]
    [InlineData(-1L, 10L, null, "from and to must be Unix seconds between 0 and 253402300799.")]
    [InlineData(-99_999_999_999_999L, 99_999_999_999_999L, null, "from and to must be Unix seconds between 0 and 253402300799.")]
    [InlineData(0L, 8L * 86_400, "minute", "At minute granularity the span may be at most 7 days.")]
    public void Parameters_are_checked_with_a_reason(long? from, long? to, string? granularity, string? expected) =>
        Assert.Equal(expected, UsageRequest.Parse(from, to, granularity, null, Now, out _));
}
