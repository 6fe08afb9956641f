using System.Net.Http.Headers;
using System.Text;

namespace DosAi.Orleans.Gateway.Tests.Infrastructure;

/// <summary>Raw HTTP requests for what the SDK will not send (bad bodies, test headers, early disconnects).</summary>
public static class Requests
{
    public const string SimpleChat = """{"model":"fake-model","messages":[{"role":"user","content":"hi"}]}""";

    public static HttpRequestMessage Chat(string key, string body = SimpleChat)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
        {
            Content = new StringContent(body, Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return request;
    }
}
