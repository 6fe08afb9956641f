using System.Buffers;
using System.Text;
using BenchmarkDotNet.Attributes;
using DosAi.Orleans.Gateway.Metering;

namespace DosAi.Orleans.Bench.Micro;

/// <summary>
/// Metering of streamed responses: one ordinary delta chunk, the final usage chunk, and a 100-chunk
/// stream (divide by 100 for the cost per chunk). <see cref="Scan"/> is the only line that names the
/// meter, so a new streaming meter is benchmarked by changing it alone.
/// </summary>
public class SseScanBenchmarks
{
    private const string Delta = """data: {"id":"chatcmpl-1","object":"chat.completion.chunk","created":1700000000,"model":"m","choices":[{"index":0,"delta":{"content":"Hello world "},"finish_reason":null}]}""";
    private const string UsageChunk = """data: {"id":"chatcmpl-1","object":"chat.completion.chunk","created":1700000000,"model":"m","choices":[],"usage":{"prompt_tokens":12,"completion_tokens":100,"total_tokens":112}}""";

    private readonly byte[] delta = Encoding.UTF8.GetBytes(Delta + "\n\n");
    private readonly byte[] usage = Encoding.UTF8.GetBytes(UsageChunk + "\n\n");
    private readonly byte[] stream = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat(Delta + "\n\n", 99)) + UsageChunk + "\n\ndata: [DONE]\n\n");

    private readonly ArrayBufferWriter<byte> forwarded = new(64 * 1024);

    /// <summary>What the gateway does per response: a fresh meter, events in, forwarded events out.</summary>
    private Usage? Scan(ReadOnlySpan<byte> bytes)
    {
        forwarded.ResetWrittenCount();
        var meter = new SseEventMeter(forwardUsage: false);
        meter.Append(bytes, forwarded);
        meter.Complete(forwarded);
        return meter.ReportedUsage;
    }

    [Benchmark]
    public Usage? DeltaChunk() => Scan(delta);

    [Benchmark]
    public Usage? UsageChunkOnly() => Scan(usage);

    [Benchmark(OperationsPerInvoke = 100)]
    public Usage? StreamOf100Chunks() => Scan(stream);
}
