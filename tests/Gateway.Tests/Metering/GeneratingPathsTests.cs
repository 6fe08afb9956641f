using DosAi.Orleans.Gateway.Metering;

namespace DosAi.Orleans.Gateway.Tests.Metering;

public sealed class GeneratingPathsTests
{
    [Theory]
    [InlineData("POST", "/v1/chat/completions", true)]
    [InlineData("POST", "/v1/completions", true)]
    [InlineData("POST", "/v1/embeddings", true)]
    [InlineData("POST", "/v1/responses", true)]
    [InlineData("POST", "/v1/audio/transcriptions", true)]
    [InlineData("GET", "/v1/models", false)]
    [InlineData("GET", "/v1/chat/completions/chatcmpl-1", false)]
    [InlineData("POST", "/v1/chat/completions/chatcmpl-1", false)] // updates a stored completion's metadata
    [InlineData("GET", "/v1/responses/resp_1", false)]
    [InlineData("POST", "/v1/responses/compact", true)] // a new, compacted response
    [InlineData("POST", "/v1/responses/resp_1/cancel", false)]
    [InlineData("DELETE", "/v1/responses/resp_1", false)]
    public void Only_requests_that_generate_are_charged_for_the_usage_they_return(string method, string path, bool generates) =>
        Assert.Equal(generates, GeneratingPaths.Generates(method, path));

    [Theory]
    [InlineData("POST", "/v1/chat/completions/", true)]
    [InlineData("POST", "/V1/Embeddings", true)]
    [InlineData("POST", "/v1/completions", true)]
    [InlineData("POST", "/v1/responses", true)]
    [InlineData("POST", "/v1/batches/batch_1/cancel", false)] // an action without a body
    [InlineData("POST", "/v1/responses/resp_1/cancel", false)]
    [InlineData("POST", "/v1/audio/transcriptions", false)] // a form
    [InlineData("GET", "/v1/chat/completions", false)]
    public void Only_the_requests_the_gateway_estimates_must_have_a_json_body(string method, string path, bool takesJson) =>
        Assert.Equal(takesJson, GeneratingPaths.TakesJsonBody(method, path));
}
