using System.Text;
using DosAi.Orleans.Gateway.Metering;
using Microsoft.AspNetCore.Http;

namespace DosAi.Orleans.Gateway.Tests.Metering;

public sealed class ChargeableUsageTests
{
    private static readonly TokenCounter Counter = new();
    private static readonly InferenceRequest Request = new("m", Stream: false, ClientWantsStreamUsage: false, PromptTokens: 40, CompletionCap: 1000);

    [Theory]
    [InlineData("""{"usage":{"prompt_tokens":12,"completion_tokens":34}}""", 200, true, 12, 34)]
    [InlineData("""{"object":"list","data":[]}""", 200, true, 0, 0)]
    [InlineData("""{"usage":{"prompt_tokens":12,"completion_tokens":34}""", 200, false, 40, 1000)]
    [InlineData("""{"error":{"message":"no"}}""", 400, true, 0, 0)]
    [InlineData("""{"error":{"message":"overloaded"},"usage":{"prompt_tokens":100000,"completion_tokens":100000}}""", 503, true, 0, 0)]
    public async Task A_json_body_is_charged_its_usage_or_by_the_rules_for_none(string body, int status, bool completed, long prompt, long completion)
    {
        var meter = Meter(status);

        await meter.WriteAsync(Encoding.UTF8.GetBytes(body));

        Assert.Equal(new Usage(prompt, completion), ChargeableUsage.Resolve(Request, meter, status, completed, clientLeft: false, Counter));
    }

    [Theory]
    [InlineData("""{"id":"chatcmpl-1","choices":[{"message":{"role":"assistant","content":"The answer is forty-two."}}]}""", "The answer is forty-two.")]
    [InlineData("""{"id":"resp_1","output":[{"type":"message","content":[{"type":"output_text","text":"A reply without usage"}]}],"usage":null}""", "A reply without usage")]
    [InlineData("""{"id":"chatcmpl-1","choices":[{"message":{"content":""}}]}""", "")]
    public async Task A_whole_completion_without_usage_is_charged_its_prompt_estimate_and_the_tokens_of_its_text(string body, string text)
    {
        var meter = Meter(200);

        await meter.WriteAsync(Encoding.UTF8.GetBytes(body));

        Assert.Equal(new Usage(40, Counter.Count(text)), ChargeableUsage.Resolve(Request, meter, 200, completed: true, clientLeft: false, Counter));
    }

    [Fact]
    public async Task A_completion_without_usage_whose_text_is_too_large_to_keep_is_charged_the_estimate()
    {
        var meter = Meter(200);
        var choice = Encoding.UTF8.GetBytes($$"""{"text":"{{new string('x', 1024 * 1024)}}"},""");

        await meter.WriteAsync("{\"choices\":["u8.ToArray());
        for (var written = 0; written <= JsonUsageReader.MaxHeldBytes; written += 1024 * 1024)
        {
            await meter.WriteAsync(choice);
        }

        await meter.WriteAsync("{}]}"u8.ToArray());

        Assert.Equal(new Usage(40, 1000), ChargeableUsage.Resolve(Request, meter, 200, completed: true, clientLeft: false, Counter));
    }

    [Fact]
    public async Task A_successful_body_whose_usage_could_not_be_read_is_charged_the_estimate()
    {
        var meter = Meter(200);
        var text = new byte[1024 * 1024];
        text.AsSpan().Fill((byte)'x');

        await meter.WriteAsync("{\"choices\":[{\"message\":{\"content\":\""u8.ToArray());
        for (var written = 0; written <= JsonUsageReader.MaxHeldBytes; written += text.Length)
        {
            await meter.WriteAsync(text);
        }

        await meter.WriteAsync("\"}}],\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":4}}"u8.ToArray());

        Assert.Equal(new Usage(40, 1000), ChargeableUsage.Resolve(Request, meter, 200, completed: true, clientLeft: false, Counter));
    }

    // Ollama's completions stream once include_usage is asked for: zeros on every chunk until the last.
    private const string PlaceholderUsageStream =
        "data: {\"choices\":[{\"text\":\"Once upon a time there was a gateway\"}],\"usage\":{\"prompt_tokens\":0,\"completion_tokens\":0,\"total_tokens\":0}}\n\n" +
        "data: {\"choices\":[{\"text\":\" that metered every token\"}],\"usage\":{\"prompt_tokens\":0,\"completion_tokens\":0,\"total_tokens\":0}}\n\n";

    [Fact]
    public async Task A_stream_cut_short_after_placeholder_usage_is_charged_for_the_text_it_produced()
    {
        var meter = EventStreamMeter();

        await meter.WriteAsync(Encoding.UTF8.GetBytes(PlaceholderUsageStream));

        Assert.Equal(new Usage(40, Counter.Count("Once upon a time there was a gateway that metered every token")),
            ChargeableUsage.Resolve(Request, meter, 200, completed: false, clientLeft: true, Counter));
    }

    [Theory]
    [InlineData(3, 50, 3, 50)] // a running count ahead of the text seen: kept
    [InlineData(3, 1, 3, -1)] // behind it: the text's count (-1 stands for it)
    public async Task A_stream_cut_short_after_a_running_count_is_charged_the_larger_count(long prompt, long completion, long chargedPrompt, long chargedCompletion)
    {
        var meter = EventStreamMeter();
        var running = $$$"""data: {"choices":[{"text":"Once upon a time there was a gateway"}],"usage":{"prompt_tokens":{{{prompt}}},"completion_tokens":{{{completion}}}}}""";

        await meter.WriteAsync(Encoding.UTF8.GetBytes(running + "\n\n"));

        var expected = new Usage(chargedPrompt, chargedCompletion < 0 ? Counter.Count("Once upon a time there was a gateway") : chargedCompletion);
        Assert.Equal(expected, ChargeableUsage.Resolve(Request, meter, 200, completed: false, clientLeft: true, Counter));
    }

    [Fact]
    public async Task A_whole_stream_is_charged_its_last_usage_even_on_a_content_chunk()
    {
        var meter = EventStreamMeter();

        await meter.WriteAsync(Encoding.UTF8.GetBytes(PlaceholderUsageStream +
            "data: {\"choices\":[{\"text\":\".\",\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":9,\"completion_tokens\":14}}\n\n"));
        await meter.CompleteAsync(CancellationToken.None);

        Assert.Equal(new Usage(9, 14), ChargeableUsage.Resolve(Request, meter, 200, completed: true, clientLeft: false, Counter));
    }

    private static ResponseMeter EventStreamMeter()
    {
        var context = new DefaultHttpContext();
        context.Response.StatusCode = 200;
        context.Response.ContentType = "text/event-stream";
        return new ResponseMeter(Stream.Null, context.Response, forwardUsageChunk: false);
    }

    private static ResponseMeter Meter(int status)
    {
        var context = new DefaultHttpContext();
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        return new ResponseMeter(Stream.Null, context.Response, forwardUsageChunk: true);
    }
}
