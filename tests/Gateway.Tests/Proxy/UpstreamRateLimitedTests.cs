using System.Net;
using System.Text;
using DosAi.Orleans.Gateway.Proxy;

namespace DosAi.Orleans.Gateway.Tests.Proxy;

public sealed class UpstreamRateLimitedTests
{
    [Theory]
    [InlineData("retry-after-ms", "1500", 1500.0)]
    [InlineData("retry-after-ms", "0.25", 0.25)]
    [InlineData("Retry-After", "3", 3000.0)]
    [InlineData("retry-after-ms", "86400000", 3_600_000.0)]
    [InlineData("Retry-After", "86400", 3_600_000.0)]
    [InlineData("retry-after-ms", "-5", null)]
    [InlineData("retry-after-ms", "NaN", null)]
    [InlineData("retry-after-ms", "soon", null)]
    [InlineData("x-other", "3", null)]
    public async Task The_upstreams_wait_is_kept_within_an_hour_and_nonsense_is_dropped(string header, string value, double? milliseconds)
    {
        using var response = new HttpResponseMessage(HttpStatusCode.TooManyRequests) { Content = new StringContent("") };
        response.Headers.TryAddWithoutValidation(header, value);

        var limited = await UpstreamRateLimited.ReadAsync(response, CancellationToken.None);

        Assert.Equal(milliseconds, limited.RetryAfter?.TotalMilliseconds);
    }

    [Fact]
    public async Task A_retry_after_date_is_kept_as_the_time_until_it()
    {
        using var response = new HttpResponseMessage(HttpStatusCode.TooManyRequests) { Content = new StringContent("") };
        response.Headers.RetryAfter = new(DateTimeOffset.UtcNow.AddSeconds(30));

        var limited = await UpstreamRateLimited.ReadAsync(response, CancellationToken.None);

        Assert.InRange(limited.RetryAfter!.Value.TotalSeconds, 25, 30);
    }

    [Theory]
    [InlineData("""{"error":{"message":"You exceeded your current quota","type":"insufficient_quota","code":"insufficient_quota"}}""", "insufficient_quota")]
    [InlineData("""{"error":{"message":"Rate limit reached for gpt-4o in organization org-x","type":"requests","code":null}}""", "requests")]
    [InlineData("""{"error":"busy"}""", null)]
    [InlineData("Too Many Requests", null)]
    [InlineData("", null)]
    public async Task The_error_code_is_read_for_the_log_and_nothing_else(string body, string? code)
    {
        using var response = new HttpResponseMessage(HttpStatusCode.TooManyRequests) { Content = new StringContent(body, Encoding.UTF8, "application/json") };

        Assert.Equal(code, (await UpstreamRateLimited.ReadAsync(response, CancellationToken.None)).Code);
    }

    [Fact]
    public async Task A_body_too_large_to_read_has_no_code()
    {
        var padding = new string(' ', 8192);
        using var response = new HttpResponseMessage(HttpStatusCode.TooManyRequests)
        {
            Content = new StringContent($$$"""{"padding":"{{{padding}}}","error":{"code":"insufficient_quota"}}"""),
        };

        Assert.Null((await UpstreamRateLimited.ReadAsync(response, CancellationToken.None)).Code);
    }
}
