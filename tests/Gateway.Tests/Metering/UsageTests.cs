using System.Text.Json;
using DosAi.Orleans.Gateway.Metering;

namespace DosAi.Orleans.Gateway.Tests.Metering;

public sealed class UsageTests
{
    private static Usage? Read(string json) => Usage.From(JsonDocument.Parse(json).RootElement);

    [Theory]
    [InlineData("""{"prompt_tokens":12,"completion_tokens":34,"total_tokens":46}""", 12, 34)]
    [InlineData("""{"prompt_tokens":7,"total_tokens":7}""", 7, 0)] // embeddings
    [InlineData("""{"total_tokens":9}""", 0, 9)]
    [InlineData("""{"input_tokens":12,"input_tokens_details":{"cached_tokens":4},"output_tokens":34,"output_tokens_details":{"reasoning_tokens":20},"total_tokens":46}""", 12, 34)] // Responses API
    [InlineData("""{"prompt_tokens":-5,"completion_tokens":3,"total_tokens":9}""", 0, 9)] // a negative count is no count
    [InlineData("""{"prompt_tokens":10,"completion_tokens":5,"total_tokens":115}""", 10, 105)] // thinking left out of the completion count
    [InlineData("""{"prompt_tokens":10,"completion_tokens":5,"total_tokens":12}""", 10, 5)] // a total short of the parts: the parts
    [InlineData("""{"prompt_tokens":9223372036854775807,"completion_tokens":9000000000000000000}""", Usage.MostTokens, Usage.MostTokens)]
    public void Reported_usage_is_read_within_bounds(string json, long prompt, long completion) =>
        Assert.Equal(new Usage(prompt, completion), Read(json));

    [Theory]
    [InlineData("null")]
    [InlineData("""{"completion_tokens":3}""")]
    [InlineData("""{"prompt_tokens":"12"}""")]
    public void No_usable_counts_is_no_usage(string json) => Assert.Null(Read(json));
}
