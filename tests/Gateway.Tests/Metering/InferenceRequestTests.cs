using System.Text.Json;
using DosAi.Orleans.Gateway.Metering;
using Microsoft.ML.Tokenizers;

namespace DosAi.Orleans.Gateway.Tests.Metering;

public sealed class InferenceRequestTests
{
    private static readonly TokenCounter Counter = new();

    // An independent o200k_base tokenizer: estimates must match its counts, framing included.
    private static readonly Tokenizer O200k = TiktokenTokenizer.CreateForEncoding("o200k_base");

    private static InferenceRequest Inspect(string json, string path = "/v1/chat/completions") =>
        InferenceRequest.Inspect(JsonDocument.Parse(json).RootElement, path, Counter, 1024);

    [Fact]
    public void Chat_messages_are_counted_with_o200k_plus_framing()
    {
        const string system = "You are a concise assistant. Answer in one sentence.";
        const string user = "Explain the difference between TCP and UDP, and when I would pick each — über-briefly, please! 🙏";
        var request = Inspect($$"""
            {"model":"gpt-4o","messages":[{"role":"system","content":"{{system}}"},{"role":"user","content":"{{user}}","name":"ada"}]}
            """);

        var expected = 3 + (3 + O200k.CountTokens("system") + O200k.CountTokens(system))
            + (3 + O200k.CountTokens("user") + O200k.CountTokens(user) + O200k.CountTokens("ada"));
        Assert.Equal(expected, request.PromptTokens);
        Assert.Equal(1024, request.CompletionCap);
        Assert.Equal("gpt-4o", request.Model);
    }

    [Fact]
    public void Content_parts_tool_calls_and_tools_are_counted()
    {
        const string json = """
            {"model":"m","max_completion_tokens":50,"max_tokens":99,"n":2,
             "tools":[{"type":"function","function":{"name":"get_weather","parameters":{"type":"object"}}}],
             "messages":[
               {"role":"user","content":[{"type":"text","text":"What is in this image?"},{"type":"image_url","image_url":{"url":"data:x"}}]},
               {"role":"assistant","content":null,"tool_calls":[{"id":"c1","type":"function","function":{"name":"get_weather","arguments":"{\"city\":\"Oslo\"}"}}]},
               {"role":"tool","tool_call_id":"c1","content":"sunny"}]}
            """;
        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;
        var messages = root.GetProperty("messages");
        var expected = 3
            + O200k.CountTokens(root.GetProperty("tools").GetRawText())
            + 3 + O200k.CountTokens("user") + O200k.CountTokens("What is in this image?") + 85
            + 3 + O200k.CountTokens("assistant") + O200k.CountTokens(messages[1].GetProperty("tool_calls").GetRawText())
            + 3 + O200k.CountTokens("tool") + O200k.CountTokens("c1") + O200k.CountTokens("sunny");

        var request = InferenceRequest.Inspect(root, "/v1/chat/completions", Counter, 1024);

        Assert.Equal(expected, request.PromptTokens);
        Assert.Equal(100, request.CompletionCap); // max_completion_tokens wins, times n
    }

    [Theory]
    [InlineData("""{"model":"m","prompt":"Once upon a time"}""", "Once upon a time")]
    [InlineData("""{"model":"m","prompt":["Once upon", " a time"]}""", "Once upon| a time")]
    public void Completion_prompts_are_counted(string json, string pieces)
    {
        var request = Inspect(json, "/v1/completions");
        Assert.Equal(pieces.Split('|').Sum(p => O200k.CountTokens(p)), request.PromptTokens);
        Assert.Equal(1024 * pieces.Split('|').Length, request.CompletionCap); // each prompt is completed
    }

    [Theory]
    [InlineData("""{"model":"e","input":"The quick brown fox"}""", 4)]
    [InlineData("""{"model":"e","input":[[1,2,3],[4,5]]}""", 5)]
    public void Embedding_inputs_are_counted_without_a_completion_cap(string json, int expected)
    {
        var request = Inspect(json, "/v1/embeddings");
        Assert.Equal(expected, request.PromptTokens);
        Assert.Equal(0, request.CompletionCap);
    }

    [Fact]
    public void Streaming_flags_are_read()
    {
        Assert.True(Inspect("""{"stream":true,"messages":[]}""").Stream);
        Assert.False(Inspect("""{"stream":true,"messages":[]}""").ClientWantsStreamUsage);
        Assert.True(Inspect("""{"stream":true,"stream_options":{"include_usage":true},"messages":[]}""").ClientWantsStreamUsage);
    }

    [Theory]
    [InlineData("""{"model":"\udc00","messages":[]}""")]
    [InlineData("""{"messages":[{"role":"user","content":"a lone \ud83d surrogate"}]}""")]
    [InlineData("""{"messages":[{"role":"user","content":[{"type":"text","text":"\udc00"}]}]}""")]
    [InlineData("""{"messages":[{"role":"user","name":"\udc00","content":"hi"}]}""")]
    [InlineData("""{"input":["ok","\udc00"]}""", "/v1/embeddings")]
    public void A_string_that_is_no_valid_text_is_a_json_error(string json, string path = "/v1/chat/completions") =>
        Assert.Throws<JsonException>(() => Inspect(json, path));

    [Fact]
    public void An_escaped_surrogate_pair_counts_as_its_character() =>
        Assert.Equal(
            Inspect("""{"messages":[{"role":"user","content":"🙏"}]}""").PromptTokens,
            Inspect("""{"messages":[{"role":"user","content":"\ud83d\ude4f"}]}""").PromptTokens);

    [Theory]
    [InlineData("""{"max_tokens":9223372036854775807,"messages":[]}""", 1)]
    [InlineData("""{"max_completion_tokens":9000000000000000000,"n":2,"messages":[]}""", 2)]
    [InlineData("""{"max_tokens":4611686018427387904,"n":128,"messages":[]}""", 128)]
    public void A_cap_beyond_any_real_request_counts_as_the_most_tokens_without_overflowing(string json, int n) =>
        Assert.Equal(Usage.MostTokens * n, Inspect(json).CompletionCap);

    [Theory]
    [InlineData("""{"prompt":"Once upon a time","max_tokens":10}""", 10)]
    [InlineData("""{"prompt":[464, 3290, 7586],"max_tokens":10}""", 10)]
    [InlineData("""{"prompt":["Once upon a time","It was a dark night","Call me"],"max_tokens":10}""", 30)]
    [InlineData("""{"prompt":[[464, 3290],[7586]],"max_tokens":10,"n":2}""", 40)]
    [InlineData("""{"prompt":"Once","max_tokens":10,"n":2,"best_of":5}""", 50)]
    [InlineData("""{"prompt":["a","b"],"max_tokens":10,"n":3,"best_of":2}""", 60)]
    [InlineData("""{"prompt":[],"max_tokens":10}""", 10)]
    [InlineData("""{"messages":[{"role":"user","content":"hi"}],"max_tokens":10,"best_of":3}""", 30)]
    public void The_cap_counts_every_completion_a_request_asks_for(string json, long cap) =>
        Assert.Equal(cap, Inspect(json, "/v1/completions").CompletionCap);

    [Theory]
    [InlineData("""{"messages":[],"max_tokens":"4000"}""", 4000)]
    [InlineData("""{"messages":[],"max_completion_tokens":" 300 ","n":"2"}""", 600)]
    [InlineData("""{"messages":[],"max_tokens":"lots"}""", 1024)]
    [InlineData("""{"messages":[],"max_tokens":"-5"}""", 1024)]
    [InlineData("""{"messages":[],"max_tokens":"99999999999999999999"}""", Usage.MostTokens)]
    [InlineData("""{"messages":[],"max_tokens":1e30}""", Usage.MostTokens)]
    [InlineData("""{"messages":[],"max_tokens":1e5}""", 100000)]
    [InlineData("""{"messages":[],"max_tokens":4000.0}""", 4000)]
    [InlineData("""{"messages":[],"max_tokens":"4000.0"}""", 4000)]
    [InlineData("""{"messages":[],"max_tokens":100,"n":2.0}""", 200)]
    [InlineData("""{"messages":[],"max_tokens":99.5}""", 100)]
    [InlineData("""{"messages":[],"max_tokens":"NaN"}""", 1024)]
    public void Counts_written_as_strings_or_real_numbers_count_as_the_numbers_python_servers_read(string json, long cap) =>
        Assert.Equal(cap, Inspect(json).CompletionCap);

    [Theory]
    [InlineData("""{"stream":1,"messages":[]}""", "stream")]
    [InlineData("""{"stream":"true","messages":[]}""", "stream")]
    [InlineData("""{"stream":{},"messages":[]}""", "stream")]
    [InlineData("""{"stream":true,"stream_options":{"include_usage":"yes"},"messages":[]}""", "include_usage")]
    [InlineData("""{"input":"hi","background":1}""", "background", "/v1/responses")]
    public void A_flag_that_is_not_a_boolean_is_refused(string json, string flag, string path = "/v1/chat/completions")
    {
        var refused = Assert.Throws<InvalidRequestException>(() => Inspect(json, path));

        Assert.Equal("invalid_type", refused.Code);
        Assert.Contains($"'{flag}'", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_null_flag_reads_false() =>
        Assert.False(Inspect("""{"stream":null,"stream_options":null,"messages":[]}""").Stream);

    [Theory]
    [InlineData("""{"Model":"big","messages":[]}""", "Model")]
    [InlineData("""{"model":"cheap","MODEL":"big","messages":[]}""", "MODEL")]
    [InlineData("""{"messages":[],"Stream":true}""", "Stream")]
    [InlineData("""{"Messages":[{"role":"user","content":"hi"}]}""", "Messages")]
    [InlineData("""{"messages":[],"\u017Ftream":true}""", "\u017Ftream")] // Go folds the long s to 's'
    [InlineData("""{"messages":[],"max_to\u212Aens":100000}""", "max_to\u212Aens")] // and the Kelvin sign to 'k'
    public void A_field_the_gateway_reads_written_in_other_letters_is_refused(string json, string name)
    {
        var refused = Assert.Throws<InvalidRequestException>(() => Inspect(json));

        Assert.Equal("unknown_parameter", refused.Code);
        Assert.Contains(JsonDocument.Parse($"\"{name}\"").RootElement.GetString()!, refused.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("m\\u0000x")]
    [InlineData("gpt-4o\\n")]
    [InlineData("del\\u007F")]
    public void A_model_name_with_control_characters_is_refused(string escapedName) =>
        Assert.Equal("invalid_model", Assert.Throws<InvalidRequestException>(() => Inspect($$"""{"model":"{{escapedName}}","messages":[]}""")).Code);

    [Fact]
    public void A_model_name_is_refused_beyond_the_longest()
    {
        var longest = new string('m', InferenceRequest.LongestModelName);

        Assert.Equal(longest, Inspect($$"""{"model":"{{longest}}","messages":[]}""").Model);
        Assert.Throws<InvalidRequestException>(() => Inspect($$"""{"model":"{{longest}}m","messages":[]}"""));
    }

    [Fact]
    public void Fields_the_gateway_does_not_read_may_have_any_letters() =>
        Assert.Equal("m", Inspect("""{"model":"m","messages":[],"Metadata":{"a":"b"},"X-Trace":"1"}""").Model);

    [Fact]
    public void Legacy_functions_are_counted_like_tools()
    {
        const string functions = """[{"name":"get_weather","description":"Current weather in a city","parameters":{"type":"object"}}]""";

        var request = Inspect($$"""{"messages":[],"functions":{{functions}}}""");

        Assert.Equal(3 + O200k.CountTokens(functions), request.PromptTokens);
    }

    [Fact]
    public void A_batch_beyond_any_real_request_counts_a_bounded_number_of_completions()
    {
        var prompts = string.Join(",", Enumerable.Repeat("\"a\"", 1 << 16));

        var cap = Inspect($$"""{"prompt":[{{prompts}}],"max_tokens":9223372036854775807,"n":128}""", "/v1/completions").CompletionCap;

        Assert.Equal(Usage.MostTokens * (1 << 20), cap);
    }

    [Fact]
    public void Responses_api_input_items_and_instructions_are_counted_with_max_output_tokens_as_the_cap()
    {
        const string instructions = "Answer like a pirate.";
        const string question = "What is the capital of Norway?";
        var request = Inspect($$"""
            {"model":"gpt-4o","instructions":"{{instructions}}","max_output_tokens":300,"input":[
              {"role":"user","content":[{"type":"input_text","text":"{{question}}"},{"type":"input_image","image_url":"https://example.com/a.png"}]},
              {"type":"function_call","call_id":"c1","name":"lookup","arguments":"{\"city\":\"Oslo\"}"},
              {"type":"function_call_output","call_id":"c1","output":"Oslo"}]}
            """, "/v1/responses");

        var expected = O200k.CountTokens(instructions)
            + (3 + O200k.CountTokens("user") + O200k.CountTokens(question) + 85)
            + (3 + O200k.CountTokens("lookup") + O200k.CountTokens("{\"city\":\"Oslo\"}"))
            + (3 + O200k.CountTokens("Oslo"));
        Assert.Equal(expected, request.PromptTokens);
        Assert.Equal(300, request.CompletionCap);
        Assert.False(request.Background);
    }

    [Theory]
    [InlineData("""{"model":"m","input":"Tell me a story"}""", "/v1/responses", 1024, false)]
    [InlineData("""{"model":"m","input":"Tell me a story","background":true}""", "/v1/responses", 1024, true)]
    [InlineData("""{"model":"m","input":"Tell me a story","max_output_tokens":50}""", "/v1/responses/", 50, false)]
    [InlineData("""{"model":"m","input":"A long chat","background":true}""", "/v1/responses/compact", 1024, true)]
    [InlineData("""{"metadata":{"a":"b"}}""", "/v1/responses/resp_1/cancel", 0, false)]
    public void Responses_api_caps_and_background_are_read_on_its_create_path_only(string json, string path, long cap, bool background)
    {
        var request = Inspect(json, path);
        Assert.Equal((cap, background), (request.CompletionCap, request.Background));
    }
}
