using System.IO.Compression;
using System.Text;
using DosAi.Orleans.Gateway.Metering;
using Microsoft.AspNetCore.Http;

namespace DosAi.Orleans.Gateway.Tests.Metering;

public sealed class ResponseMeterTests
{
    // Usage first and different in every test: pooled buffers come back holding what an earlier test wrote,
    // so a capture that lost its start could still read a usage that merely looks right.
    private readonly Usage usage = new(Random.Shared.Next(1, 1_000_000), Random.Shared.Next(1, 1_000_000));
    private readonly byte[] completion;

    public ResponseMeterTests() => completion = Encoding.UTF8.GetBytes(
        $"{{\"usage\":{{\"prompt_tokens\":{usage.PromptTokens},\"completion_tokens\":{usage.CompletionTokens}}},\"object\":\"chat.completion\",\"choices\":[{{\"index\":0,\"message\":{{\"role\":\"assistant\",\"content\":\"{new string('x', 5_000)}\"}}}}]}}");

    [Theory]
    [InlineData(1, false)]
    [InlineData(7, true)]
    [InlineData(100, false)]
    [InlineData(100, true)]
    [InlineData(4096, false)]
    [InlineData(100_000, true)]
    public async Task A_body_written_in_any_pieces_reaches_the_client_whole_and_its_usage_is_read(int pieceSize, bool declaresLength)
    {
        var (meter, client) = Meter("application/json", declaresLength ? completion.Length : null);

        await Write(meter, completion, pieceSize);

        Assert.Equal(completion, client.ToArray());
        Assert.Equal(usage, meter.ReportedUsage());
        meter.Dispose();
    }

    public static TheoryData<string, Usage?> Bodies => new()
    {
        { """{"object":"embedding_list","data":[{"usage":{"prompt_tokens":9}}],"usage":{"prompt_tokens":3,"total_tokens":3}}""", new Usage(3, 0) },
        { """{"choices":[{"message":{"content":"{\"usage\":1}"},"usage":{"prompt_tokens":1,"completion_tokens":1}}]}""", null },
        { """{"object":"list","data":[]}""", null },
        { """{"usage":{"prompt_tokens":3,"completion_tokens":4}""", null },
        { """[{"usage":{"prompt_tokens":3,"completion_tokens":4}}]""", null },
        { "not json", null },
    };

    [Theory]
    [MemberData(nameof(Bodies))]
    public async Task Only_a_top_level_usage_of_a_whole_json_object_counts(string body, Usage? expected)
    {
        var (meter, _) = Meter("application/json", null);

        await meter.WriteAsync(Encoding.UTF8.GetBytes(body));

        Assert.Equal(expected, meter.ReportedUsage());
    }

    [Fact]
    public async Task A_gzip_body_from_an_upstream_that_compresses_anyway_is_decoded_to_read_usage()
    {
        using var compressed = new MemoryStream();
        await using (var gzip = new GZipStream(compressed, CompressionLevel.Fastest, leaveOpen: true))
        {
            await gzip.WriteAsync(completion);
        }

        var (meter, client) = Meter("application/json", compressed.Length, contentEncoding: "gzip");

        await Write(meter, compressed.ToArray(), 512);

        Assert.Equal(compressed.ToArray(), client.ToArray());
        Assert.Equal(usage, meter.ReportedUsage());
    }

    [Fact]
    public async Task A_body_larger_than_the_capture_limit_is_forwarded_but_not_read()
    {
        var (meter, client) = Meter("application/json", null);
        var piece = new byte[1024 * 1024];
        piece.AsSpan().Fill((byte)' ');

        await meter.WriteAsync(completion);
        for (var written = completion.Length; written <= ResponseMeter.MaxCapturedBytes; written += piece.Length)
        {
            await meter.WriteAsync(piece);
        }

        Assert.True(client.Length > ResponseMeter.MaxCapturedBytes);
        Assert.Null(meter.ReportedUsage());
    }

    private static (ResponseMeter Meter, MemoryStream Client) Meter(string contentType, long? contentLength, string? contentEncoding = null)
    {
        var client = new MemoryStream();
        var context = new DefaultHttpContext();
        context.Response.ContentType = contentType;
        context.Response.ContentLength = contentLength;
        if (contentEncoding is not null)
        {
            context.Response.Headers.ContentEncoding = contentEncoding;
        }

        return (new ResponseMeter(client, context.Response, forwardUsageChunk: true), client);
    }

    private static async Task Write(ResponseMeter meter, byte[] body, int pieceSize)
    {
        for (var offset = 0; offset < body.Length; offset += pieceSize)
        {
            await meter.WriteAsync(body.AsMemory(offset, Math.Min(pieceSize, body.Length - offset)));
        }
    }
}
