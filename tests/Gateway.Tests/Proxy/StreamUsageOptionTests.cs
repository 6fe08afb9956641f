using System.Text;
using System.Text.Json;
using DosAi.Orleans.Gateway.Proxy;

namespace DosAi.Orleans.Gateway.Tests.Proxy;

public sealed class StreamUsageOptionTests
{
    [Theory]
    [InlineData("""{"model":"m","stream":true}""", """{"model":"m","stream":true,"stream_options":{"include_usage":true}}""")]
    [InlineData("""{"stream":true,"stream_options":{"include_obfuscation":false}}""", """{"stream":true,"stream_options":{"include_obfuscation":false,"include_usage":true}}""")]
    [InlineData("""{"stream_options":{"include_usage":false},"stream":true}""", """{"stream_options":{"include_usage":true},"stream":true}""")]
    [InlineData("""{"stream_options":null,"stream":true}""", """{"stream":true,"stream_options":{"include_usage":true}}""")]
    [InlineData("""{"stream":true,"stream":true}""", """{"stream":true,"stream":true,"stream_options":{"include_usage":true}}""")]
    public void Include_usage_is_set_and_the_rest_kept(string body, string expected) =>
        Assert.Equal(expected, Encoding.UTF8.GetString(StreamUsageOption.Add(Encoding.UTF8.GetBytes(body))));

    [Fact]
    public void Every_value_reaches_the_upstream_byte_for_byte()
    {
        const string messages = """[{"role":"user","content":"こんにちは, caf\u00e9 \"quoted\" <b>&</b> 🙏 1e3"}]""";
        var body = Encoding.UTF8.GetBytes($$"""{"model":"m", "messages": {{messages}},"temperature":0.70,"stream":true}""");

        var sent = StreamUsageOption.Add(body);

        Assert.Contains("\"messages\":" + messages, Encoding.UTF8.GetString(sent), StringComparison.Ordinal);
        Assert.Contains("\"temperature\":0.70", Encoding.UTF8.GetString(sent), StringComparison.Ordinal);
        using var parsed = JsonDocument.Parse(sent);
        Assert.True(parsed.RootElement.GetProperty("stream_options").GetProperty("include_usage").GetBoolean());
    }
}
