using System.Net;

namespace DosAi.Orleans.Bench.Runner;

/// <summary>The runner's HTTP client: plain HTTP/1.1 to loopback, no proxy, cookies or decompression.</summary>
public static class BenchHttpClient
{
    public static HttpClient Create() => new(new SocketsHttpHandler
    {
        UseProxy = false,
        UseCookies = false,
        AutomaticDecompression = DecompressionMethods.None,
        MaxConnectionsPerServer = 1024,
        ConnectTimeout = TimeSpan.FromSeconds(5),
    })
    {
        Timeout = TimeSpan.FromSeconds(30),
    };
}
