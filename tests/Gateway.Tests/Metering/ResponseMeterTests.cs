using System.IO.Compression;
using System.Text;
using DosAi.Orleans.Gateway.Metering;
using Microsoft.AspNetCore.Http;

namespace DosAi.Orleans.Gateway.Tests.Metering;

public sealed class ResponseMeterTests
{
    // Usage first and different in every test: pooled buffers (a compressed body's copy) come back holding what
    // an earlier test wrote, so a copy that lost its start could still read a usage that merely looks right.
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
        Assert.False(meter.UsageUnknown);
        meter.Dispose();
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
    public async Task A_body_with_a_token_too_large_to_read_is_forwarded_whole_and_its_usage_is_unknown()
    {
        var (meter, client) = Meter("application/json", null);
        var text = new byte[1024 * 1024];
        text.AsSpan().Fill((byte)'x');

        await meter.WriteAsync("{\"choices\":[{\"message\":{\"content\":\""u8.ToArray());
        for (var written = 0; written <= JsonUsageReader.MaxHeldBytes; written += text.Length)
        {
            await meter.WriteAsync(text);
        }

        Assert.True(client.Length > JsonUsageReader.MaxHeldBytes);
        Assert.Null(meter.ReportedUsage());
        Assert.True(meter.UsageUnknown);
    }

    [Fact]
    public async Task A_compressed_body_larger_than_the_copy_limit_is_forwarded_and_its_usage_is_unknown()
    {
        var (meter, client) = Meter("application/json", null, contentEncoding: "gzip");
        var piece = new byte[1024 * 1024];

        for (var written = 0; written <= ResponseMeter.MaxCapturedBytes; written += piece.Length)
        {
            await meter.WriteAsync(piece);
        }

        Assert.True(client.Length > ResponseMeter.MaxCapturedBytes);
        Assert.Null(meter.ReportedUsage());
        Assert.True(meter.UsageUnknown);
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
