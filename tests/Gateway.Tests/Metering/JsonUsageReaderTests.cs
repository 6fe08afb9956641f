using System.Text;
using DosAi.Orleans.Gateway.Metering;

namespace DosAi.Orleans.Gateway.Tests.Metering;

public sealed class JsonUsageReaderTests
{
    private const string Completion =
        """{"id":"chatcmpl-1","choices":[{"message":{"content":"caf\u00e9 \"usage\":{} ☕"},"usage":{"prompt_tokens":1}}],"usage":{"prompt_tokens":12,"completion_tokens":34,"total_tokens":46},"system_fingerprint":null}""";

    [Fact]
    public void The_usage_is_read_wherever_the_pieces_split_the_body()
    {
        var body = Encoding.UTF8.GetBytes(Completion);
        for (var first = 0; first <= body.Length; first++)
        {
            for (var second = first; second <= body.Length; second += 7)
            {
                var reader = new JsonUsageReader();
                reader.Append(body.AsSpan(0, first));
                reader.Append(body.AsSpan(first, second - first));
                reader.Append(body.AsSpan(second));

                Assert.True(reader.Usage == new Usage(12, 34), $"split at {first} and {second}");
                Assert.True(reader.GeneratedText == "café \"usage\":{} ☕", $"text split at {first} and {second}");
            }
        }
    }

    [Fact]
    public void The_usage_is_read_from_a_body_fed_a_byte_at_a_time()
    {
        var reader = new JsonUsageReader();
        foreach (var b in Encoding.UTF8.GetBytes(Completion))
        {
            reader.Append([b]);
        }

        Assert.Equal(new Usage(12, 34), reader.Usage);
    }

    public static TheoryData<string, Usage?> Bodies => new()
    {
        { """{"object":"list","data":[{"usage":{"prompt_tokens":9}}],"usage":{"prompt_tokens":3,"total_tokens":3}}""", new Usage(3, 0) },
        { """{"usage":{"input_tokens":5,"output_tokens":6}} trailing text is not ours to judge""", new Usage(5, 6) },
        { """{"object":"list","data":[]}""", null },
        { """{"usage":{"prompt_tokens":3,"completion_tokens":4}""", null },
        { """{"usage":{"prompt_tokens":3,"completion_tokens":4},"choices":[""", null },
        { """[{"usage":{"prompt_tokens":3,"completion_tokens":4}}]""", null },
        { """{"usage":"many"}""", null },
        { """{"usage":{"prompt_tokens":3,"completion_tokens":4},}""", null },
        { "not json", null },
        { "", null },
    };

    [Theory]
    [MemberData(nameof(Bodies))]
    public void Only_the_top_level_usage_of_a_whole_json_object_counts(string body, Usage? expected)
    {
        var reader = new JsonUsageReader();

        reader.Append(Encoding.UTF8.GetBytes(body));

        Assert.Equal(expected, reader.Usage);
        Assert.False(reader.GaveUp);
    }

    [Fact]
    public void A_body_far_larger_than_what_is_held_is_read_as_it_passes()
    {
        var reader = new JsonUsageReader();
        var embedding = Encoding.UTF8.GetBytes($$"""{"object":"embedding","embedding":"{{new string('A', 16_000)}}"},""");

        reader.Append("""{"object":"list","data":["""u8);
        long fed = 0;
        for (var piece = 0; fed < 3L * JsonUsageReader.MaxHeldBytes; piece++)
        {
            // Pieces of odd sizes, so tokens split everywhere.
            var from = piece % 5000;
            reader.Append(embedding.AsSpan(0, from));
            reader.Append(embedding.AsSpan(from));
            fed += embedding.Length;
        }

        reader.Append("""{"object":"embedding","embedding":""}],"usage":{"prompt_tokens":4000,"total_tokens":4000}}"""u8);

        Assert.Equal(new Usage(4000, 0), reader.Usage);
    }

    [Fact]
    public void A_token_larger_than_what_is_held_leaves_the_usage_unknown()
    {
        var reader = new JsonUsageReader();
        var text = new byte[1024 * 1024];
        text.AsSpan().Fill((byte)'x');

        reader.Append("{\"choices\":[{\"message\":{\"content\":\""u8);
        for (var fed = 0; fed <= JsonUsageReader.MaxHeldBytes; fed += text.Length)
        {
            reader.Append(text);
        }

        reader.Append("\"}}],\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":4}}"u8);

        Assert.True(reader.GaveUp);
        Assert.Null(reader.Usage);
    }

    public static TheoryData<string, bool, string> Generations => new()
    {
        { """{"choices":[{"message":{"role":"assistant","content":"Hi \u2014 there","refusal":null},"logprobs":{"content":[{"token":"Hi"}]}}]}""", true, "Hi — there" },
        { """{"choices":[{"message":{"content":null,"tool_calls":[{"id":"call_1","type":"function","function":{"name":"f","arguments":"{\"a\":1}"}}]}}]}""", true, "f{\"a\":1}" },
        { """{"choices":[{"text":"one"},{"text":"two"}]}""", true, "onetwo" },
        { """{"choices":[{"message":{"reasoning_content":"think","content":"done"}}]}""", true, "thinkdone" },
        { """{"choices":[{"message":{"reasoning":"ponder","content":"done","function_call":{"name":"f","arguments":"{}"}}}]}""", true, "ponderdonef{}" },
        { """{"object":"response","text":{"format":{"type":"text"}},"output":[{"type":"reasoning","summary":[{"type":"summary_text","text":"why"}]},{"type":"message","content":[{"type":"output_text","text":"Hello","annotations":[{"title":"t"}]}]},{"type":"function_call","name":"g","arguments":"{}"}]}""", true, "whyHellog{}" },
        { """{"object":"list","data":[{"object":"embedding","embedding":[0.1]}],"model":"e","text":"not produced"}""", false, "" },
        { """{"choices":[{"message":{"content":"cut short"}}]""", false, "cut short" },
    };

    [Theory]
    [MemberData(nameof(Generations))]
    public void The_text_a_completion_or_response_produced_is_kept_when_it_reports_no_usage(string body, bool generation, string text)
    {
        var reader = new JsonUsageReader();

        reader.Append(Encoding.UTF8.GetBytes(body));

        Assert.Null(reader.Usage);
        Assert.Equal(generation, reader.IsGeneration);
        Assert.Equal(text, reader.GeneratedText);
    }

    [Fact]
    public void Produced_text_beyond_what_is_held_overflows_but_the_usage_after_it_is_still_read()
    {
        var reader = new JsonUsageReader();
        var choice = Encoding.UTF8.GetBytes($$$"""{"message":{"content":"{{{new string('x', 1024 * 1024)}}}"}},""");

        reader.Append("{\"choices\":["u8);
        for (var fed = 0; fed <= JsonUsageReader.MaxHeldBytes; fed += 1024 * 1024)
        {
            reader.Append(choice);
        }

        reader.Append("{}],\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":4}}"u8);

        Assert.True(reader.TextOverflowed);
        Assert.Equal("", reader.GeneratedText);
        Assert.Equal(new Usage(3, 4), reader.Usage);
    }

    [Fact]
    public void A_disposed_reader_gives_its_text_buffer_back_and_reads_empty_while_the_next_keeps_its_own()
    {
        var first = new JsonUsageReader();
        first.Append("""{"choices":[{"text":"first text, long enough to be copied"}]}"""u8);
        Assert.Equal("first text, long enough to be copied", first.GeneratedText);

        first.Dispose();
        using var second = new JsonUsageReader();
        second.Append("""{"choices":[{"text":"second"}]}"""u8);

        Assert.Equal("", first.GeneratedText);
        Assert.Equal("second", second.GeneratedText);
    }
}
