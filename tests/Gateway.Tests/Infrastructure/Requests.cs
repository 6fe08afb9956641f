using System.Net.Http.Headers;
using System.Text;

namespace DosAi.Orleans.Gateway.Tests.Infrastructure;

/// <summary>Raw HTTP requests for what the SDK will not send (bad bodies, test headers, early disconnects).</summary>
public static class Requests
{
    public const string SimpleChat = """{"model":"fake-model","messages":[{"role":"user","content":"hi"}]}""";

    public static HttpRequestMessage Chat(string key, string body = SimpleChat) => Chat(key, Encoding.UTF8.GetBytes(body));

    /// <summary>A chat request with these exact bytes as its JSON body (which need not be valid UTF-8).</summary>
    public static HttpRequestMessage Chat(string key, byte[] body)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
        {
            Content = new ByteArrayContent(body) { Headers = { ContentType = new MediaTypeHeaderValue("application/json") } },
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return request;
    }
}
