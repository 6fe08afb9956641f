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
    public void Reasoning_under_either_name_and_legacy_function_calls_are_text_produced()
    {
        const string events =
            "data: {\"choices\":[{\"delta\":{\"reasoning\":\"Let me think. \"}}]}\n\n" +
            "data: {\"choices\":[{\"delta\":{\"reasoning_content\":\"Still thinking. \"}}]}\n\n" +
            "data: {\"choices\":[{\"delta\":{\"function_call\":{\"name\":\"lookup\",\"arguments\":\"{}\"}}}]}\n\n" +
            "data: {\"choices\":[{\"delta\":{\"content\":\"42\"}}]}\n\n";

        var (_, meter) = Feed(Encoding.UTF8.GetBytes(events), 9, forwardUsage: true);

        Assert.Equal("Let me think. Still thinking. lookup{}42", meter.CompletionText);
    }

    [Theory]
    [InlineData("data: {\"choices\":[{\"delta\":{\"content\":\"a\"}}],\"usage\":{\"prompt_tokens\":0,\"completion_tokens\":0}}\n\n", false)]
    [InlineData("data: {\"choices\":[],\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":4}}\n\n", true)]
    [InlineData("data: {\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":4}}\n\n", true)]
    public void Usage_is_final_only_in_a_chunk_of_its_own(string lastEvent, bool final)
    {
        var (_, meter) = Feed(Encoding.UTF8.GetBytes(
            "data: {\"choices\":[{\"delta\":{\"content\":\"x\"}}],\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":1}}\n\n" + lastEvent), 7, forwardUsage: true);

        Assert.Equal(final, meter.UsageIsFinal);
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

    // The Responses API's stream: typed events, text in deltas, usage only inside the final response object.
    private const string ResponsesStream =
        "event: response.created\ndata: {\"type\":\"response.created\",\"response\":{\"id\":\"resp_1\",\"status\":\"in_progress\",\"usage\":null}}\n\n" +
        "event: response.reasoning_summary_text.delta\ndata: {\"type\":\"response.reasoning_summary_text.delta\",\"delta\":\"Thinking. \"}\n\n" +
        "event: response.output_text.delta\ndata: {\"type\":\"response.output_text.delta\",\"delta\":\"Grüße, \"}\n\n" +
        "event: response.output_text.delta\ndata: {\"type\":\"response.output_text.delta\",\"delta\":\"世界\"}\n\n" +
        "event: response.audio.delta\ndata: {\"type\":\"response.audio.delta\",\"delta\":\"UklGRiQAAABXQVZF\"}\n\n" +
        "event: response.output_text.done\ndata: {\"type\":\"response.output_text.done\",\"text\":\"Grüße, 世界\"}\n\n" +
        "event: response.completed\ndata: {\"type\":\"response.completed\",\"response\":{\"id\":\"resp_1\",\"status\":\"completed\"," +
        "\"usage\":{\"input_tokens\":9,\"input_tokens_details\":{\"cached_tokens\":0},\"output_tokens\":6,\"output_tokens_details\":{\"reasoning_tokens\":2},\"total_tokens\":15}}}\n\n";

    [Theory]
    [MemberData(nameof(ChunkSizes))]
    public void A_responses_api_stream_is_forwarded_whole_and_metered_from_its_completed_event(int chunkSize)
    {
        var (output, meter) = Feed(Encoding.UTF8.GetBytes(ResponsesStream), chunkSize, forwardUsage: true);

        Assert.Equal(ResponsesStream, output);
        Assert.Equal(new Usage(9, 6), meter.ReportedUsage);
        Assert.Equal("Thinking. Grüße, 世界", meter.CompletionText);
    }

    [Fact]
    public void A_responses_api_stream_cut_short_leaves_the_text_of_its_deltas_to_count()
    {
        var cut = ResponsesStream[..ResponsesStream.IndexOf("event: response.completed", StringComparison.Ordinal)];

        var (_, meter) = Feed(Encoding.UTF8.GetBytes(cut), 64, forwardUsage: true);

        Assert.Null(meter.ReportedUsage);
        Assert.Equal("Thinking. Grüße, 世界", meter.CompletionText);
    }
}
