using System.Text;
using BenchmarkDotNet.Attributes;
using DosAi.Orleans.Gateway.Metering;

namespace DosAi.Orleans.Bench.Micro;

/// <summary>
/// Metering of JSON responses as they pass: the bench upstream's small chat completion, a completion of ~2,000
/// words, and 16 embeddings of 1,536 floats (~300 KB), each through a fresh reader as the gateway does per response.
/// </summary>
public class JsonUsageBenchmarks
{
    private const string UsageJson = "\"usage\":{\"prompt_tokens\":12,\"completion_tokens\":8,\"total_tokens\":20}";

    private readonly byte[] small = Encoding.UTF8.GetBytes(
        """{"id":"chatcmpl-bench","object":"chat.completion","created":1700000000,"model":"bench-model","choices":[{"index":0,"message":{"role":"assistant","content":"Hello from the bench upstream."},"finish_reason":"stop"}],""" + UsageJson + "}");

    private readonly byte[] longer = Encoding.UTF8.GetBytes(
        "{\"id\":\"chatcmpl-bench\",\"object\":\"chat.completion\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\""
        + string.Concat(Enumerable.Repeat("The gateway meters every token it forwards. ", 280)) + "\"},\"finish_reason\":\"stop\"}]," + UsageJson + "}");

    private readonly byte[] embeddings = Encoding.UTF8.GetBytes(
        """{"object":"list","data":[""" + string.Join(",", Enumerable.Range(0, 16).Select(index =>
            $$"""{"object":"embedding","index":{{index}},"embedding":[{{string.Join(",", Enumerable.Range(0, 1536).Select(i => (i / 1536.0 - 0.5).ToString("R", System.Globalization.CultureInfo.InvariantCulture)))}}]}"""))
        + """],"model":"e",""" + UsageJson + "}");

    private static Usage? Read(byte[] body)
    {
        using var reader = new JsonUsageReader();
        // In the pieces Kestrel's response body would see from YARP's copy (16 KB at most).
        for (var offset = 0; offset < body.Length; offset += 16 * 1024)
        {
            reader.Append(body.AsSpan(offset, Math.Min(16 * 1024, body.Length - offset)));
        }

        return reader.Usage;
    }

    [Benchmark]
    public Usage? SmallCompletion() => Read(small);

    [Benchmark]
    public Usage? CompletionOf2000Words() => Read(longer);

    [Benchmark]
    public Usage? SixteenEmbeddings() => Read(embeddings);
}
