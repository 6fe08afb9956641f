using System.Diagnostics;
using System.Text;

namespace DosAi.Orleans.Bench.Runner;

/// <summary>The one call every .NET-driven bench makes (the same small chat completion rotate-keys.lua sends), timed.</summary>
public static class CompletionCall
{
    private static readonly byte[] Body =
        Encoding.UTF8.GetBytes("""{"model":"bench-model","messages":[{"role":"user","content":"Say hello."}],"max_tokens":16}""");

    /// <param name="sent">When the call counts as sent (a <see cref="Stopwatch"/> timestamp): the latency runs from there.</param>
    public static async Task<Exchange> SendAsync(HttpClient client, RunningPeer peer, string key, int keyIndex, long sent)
    {
        var status = 0;
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, peer.CompletionsUrl) { Content = new ByteArrayContent(Body) };
            request.Content.Headers.ContentType = new("application/json");
            request.Headers.Authorization = new("Bearer", key);
            foreach (var (name, value) in peer.Headers)
            {
                request.Headers.TryAddWithoutValidation(name, value);
            }

            using var response = await client.SendAsync(request);
            status = (int)response.StatusCode;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            // No answer: status 0.
        }

        return new Exchange(sent, Stopwatch.GetTimestamp(), status, keyIndex);
    }
}
