using DosAi.Orleans.Gateway.Admission;
using Microsoft.AspNetCore.Http;

namespace DosAi.Orleans.Gateway.Tests.Admission;

public sealed class RateLimitHeadersTests
{
    [Theory]
    [InlineData(0, "0s")]
    [InlineData(12, "12ms")]
    [InlineData(999, "999ms")]
    [InlineData(1_000, "1s")]
    [InlineData(1_500, "1.5s")]
    [InlineData(1_050, "1.05s")]
    [InlineData(1_007, "1.007s")]
    [InlineData(1_120, "1.12s")]
    [InlineData(59_999, "59.999s")]
    [InlineData(60_000, "1m0s")]
    [InlineData(360_000, "6m0s")]
    [InlineData(62_500, "1m2.5s")]
    [InlineData(3_600_000, "1h0m0s")]
    [InlineData(3_723_045, "1h2m3.045s")]
    public void Durations_are_formatted_like_openai(long milliseconds, string expected) =>
        Assert.Equal(expected, RateLimitHeaders.FormatDuration(TimeSpan.FromMilliseconds(milliseconds)));

    [Fact]
    public void Sub_millisecond_durations_round_up()
    {
        Assert.Equal("1ms", RateLimitHeaders.FormatDuration(TimeSpan.FromTicks(1)));
        Assert.Equal(13, RateLimitHeaders.CeilingMilliseconds(TimeSpan.FromTicks(12 * TimeSpan.TicksPerMillisecond + 1)));
    }

    [Theory]
    [InlineData(1, "1", "1")]
    [InlineData(999, "1", "999")]
    [InlineData(1_001, "2", "1001")]
    [InlineData(45_000, "45", "45000")]
    public void Retry_after_is_whole_seconds_rounded_up_and_exact_milliseconds(long milliseconds, string seconds, string exact)
    {
        IHeaderDictionary headers = new HeaderDictionary();
        RateLimitHeaders.ApplyRetryAfter(headers, TimeSpan.FromMilliseconds(milliseconds));
        Assert.Equal((seconds, exact), (headers.RetryAfter.ToString(), headers["retry-after-ms"].ToString()));
    }
}
