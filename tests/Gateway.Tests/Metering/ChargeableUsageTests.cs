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

    private static ResponseMeter Meter(int status)
    {
        var context = new DefaultHttpContext();
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        return new ResponseMeter(Stream.Null, context.Response, forwardUsageChunk: true);
    }
}
