using BenchmarkDotNet.Attributes;
using DosAi.Orleans.Gateway.Admission;
using DosAi.Orleans.Grains.Interfaces.ApiKeys;
using Microsoft.AspNetCore.Http;

namespace DosAi.Orleans.Bench.Micro;

/// <summary>The six x-ratelimit-* headers stamped on every proxied response, and the duration format alone.</summary>
public class RateLimitHeaderBenchmarks
{
    private readonly HeaderDictionary headers = new();
    private readonly RateLimitSnapshot limits = new(300, 17, TimeSpan.FromMilliseconds(59_871), 2_000_000, 123_456, TimeSpan.FromMilliseconds(41_250));

    [Benchmark]
    public void Apply()
    {
        headers.Clear();
        RateLimitHeaders.Apply(headers, limits);
    }

    [Benchmark]
    public string FormatMilliseconds() => RateLimitHeaders.FormatDuration(TimeSpan.FromMilliseconds(12));

    [Benchmark]
    public string FormatSeconds() => RateLimitHeaders.FormatDuration(TimeSpan.FromMilliseconds(59_871));
}
