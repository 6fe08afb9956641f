using System.Buffers;
using System.Text;
using DosAi.Orleans.Gateway.Metering;

namespace DosAi.Orleans.Gateway.Tests.Metering;

public sealed class SseEventMeterTests
{
    private const string Stream =
        "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Grüße, \"}}]}\n\n" +
        "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"世界 🌍\"}}],\"usage\":null}\n\n" +
        ": keep-alive comment\n\n" +
        "data: {\"choices\":[],\"usage\":{\"prompt_tokens\":7,\"completion_tokens\":5,\"total_tokens\":12}}\n\n" +
        "data: [DONE]\n\n";

    public static TheoryData<int> ChunkSizes => [1, 2, 3, 7, 64, 4096];

    [Theory]
    [MemberData(nameof(ChunkSizes))]
    public void Events_split_anywhere_even_inside_utf8_characters_are_metered_and_forwarded_whole(int chunkSize)
    {
        var (output, meter) = Feed(Encoding.UTF8.GetBytes(Stream), chunkSize, forwardUsage: true);

        Assert.Equal(Stream, output);
        Assert.Equal(new Usage(7, 5), meter.ReportedUsage);
        Assert.Equal("Grüße, 世界 🌍", meter.CompletionText);
    }

    [Theory]
    [MemberData(nameof(ChunkSizes))]
    public void The_usage_chunk_the_gateway_asked_for_is_not_forwarded(int chunkSize)
    {
        var (output, meter) = Feed(Encoding.UTF8.GetBytes(Stream), chunkSize, forwardUsage: false);

        Assert.DoesNotContain("prompt_tokens", output, StringComparison.Ordinal);
        Assert.EndsWith("data: [DONE]\n\n", output, StringComparison.Ordinal);
        Assert.Contains("世界 🌍", output, StringComparison.Ordinal);
        Assert.Equal(new Usage(7, 5), meter.ReportedUsage);
    }

    [Fact]
    public void Usage_riding_on_a_content_chunk_is_removed_but_the_content_kept()
    {
        const string piggyback = "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"hi\"}}],\"usage\":{\"prompt_tokens\":1,\"completion_tokens\":1,\"total_tokens\":2}}\n\n";

        var (output, meter) = Feed(Encoding.UTF8.GetBytes(piggyback), 5, forwardUsage: false);

        Assert.Equal("data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"hi\"}}]}\n\n", output);
        Assert.Equal(new Usage(1, 1), meter.ReportedUsage);
    }

    [Fact]
    public void Crlf_events_tool_calls_and_an_unterminated_last_event_are_handled()
    {
        const string crlf =
            "data: {\"choices\":[{\"delta\":{\"tool_calls\":[{\"function\":{\"name\":\"get_weather\",\"arguments\":\"{\\\"city\\\":\"}}]}}]}\r\n\r\n" +
            "data: {\"choices\":[{\"delta\":{\"tool_calls\":[{\"function\":{\"arguments\":\"\\\"Oslo\\\"}\"}}]}}]}\r\n\r\n" +
            "data: [DONE]";

        var (output, meter) = Feed(Encoding.UTF8.GetBytes(crlf), 11, forwardUsage: true);

        Assert.Equal(crlf, output);
        Assert.Null(meter.ReportedUsage);
        Assert.Equal("get_weather{\"city\":\"Oslo\"}", meter.CompletionText);
    }

    [Fact]
    public void Malformed_events_pass_through_unmetered()
    {
        const string broken = "data: {\"choices\": [oops\n\ndata: {\"choices\":[{\"text\":\"ok\"}]}\n\n";

        var (output, meter) = Feed(Encoding.UTF8.GetBytes(broken), 4, forwardUsage: true);

        Assert.Equal(broken, output);
        Assert.Equal("ok", meter.CompletionText);
    }

    private static (string Output, SseEventMeter Meter) Feed(byte[] input, int chunkSize, bool forwardUsage)
    {
        var meter = new SseEventMeter(forwardUsage);
        var output = new ArrayBufferWriter<byte>();
        for (var offset = 0; offset < input.Length; offset += chunkSize)
        {
            meter.Append(input.AsSpan(offset, Math.Min(chunkSize, input.Length - offset)), output);
        }

        meter.Complete(output);
        return (Encoding.UTF8.GetString(output.WrittenSpan), meter);
    }
}
