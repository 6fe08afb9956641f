using System.Buffers;
using System.IO.Compression;

namespace DosAi.Orleans.Gateway.Metering;

/// <summary>
/// Wraps the client-facing response body. Event streams go through an <see cref="SseEventMeter"/>
/// event by event (every flush reaches the client, nothing waits for more than its own event); other
/// bodies go straight through a <see cref="JsonUsageReader"/>. A body compressed although the gateway asked
/// for none is copied, up to <see cref="MaxCapturedBytes"/> in a pooled buffer given back on dispose, and
/// decoded to read <c>usage</c> from when the response ends.
/// </summary>
public sealed class ResponseMeter(Stream inner, HttpResponse response, bool forwardUsageChunk) : Stream
{
    public const int MaxCapturedBytes = 32 * 1024 * 1024;

    private ArrayBufferWriter<byte>? forwarded;
    private byte[]? captured;
    private int capturedLength;
    private bool capturing;
    private SseEventMeter? events;
    private JsonUsageReader? json;
    private bool decided;
    private bool overflowed;

    public Stream Inner => inner;

    private bool Encoded => response.Headers.ContentEncoding.Count > 0 && response.Headers.ContentEncoding != "identity";

    /// <summary>The upstream sent at least one body byte.</summary>
    public bool Started { get; private set; }

    public bool IsEventStream => events is not null;

    /// <summary>A JSON body that was a whole completion or response (it has <c>choices</c> or <c>output</c>).</summary>
    public bool IsGeneration => json?.IsGeneration == true;

    /// <summary>Text produced in a stream or a completion's body, for counting when no usage was reported.</summary>
    public string CompletionText => events?.CompletionText ?? json?.GeneratedText ?? "";

    /// <summary>Forwards an unterminated last event; call once the upstream response has ended.</summary>
    public async Task CompleteAsync(CancellationToken cancellationToken)
    {
        if (events is null)
        {
            return;
        }

        events.Complete(forwarded!);
        await FlushForwardedAsync(cancellationToken);
    }

    /// <summary>An event stream's reported usage came in a chunk of its own (see <see cref="SseEventMeter.UsageIsFinal"/>).</summary>
    public bool UsageIsFinal => events?.UsageIsFinal == true;

    /// <summary>The usage the response reported; call once the response has ended.</summary>
    public Usage? ReportedUsage()
    {
        if (events is not null)
        {
            return events.ReportedUsage;
        }

        if (json is null && captured is not null)
        {
            json = Decoded();
        }

        return json?.Usage;
    }

    /// <summary>
    /// A JSON body too large to read (or, compressed, to keep), so its usage, if any, is unknown; or one that
    /// produced too much text to keep for counting.
    /// </summary>
    public bool UsageUnknown => overflowed || json?.GaveUp == true || json?.TextOverflowed == true;

    /// <summary>The gateway asks for identity encoding; an upstream that compresses anyway is decoded here.</summary>
    private JsonUsageReader? Decoded()
    {
        var body = new MemoryStream(captured!, 0, capturedLength, writable: false);
        using Stream decoded = response.Headers.ContentEncoding.ToString().ToLowerInvariant() switch
        {
            "gzip" => new GZipStream(body, CompressionMode.Decompress),
            "deflate" => new ZLibStream(body, CompressionMode.Decompress),
            "br" => new BrotliStream(body, CompressionMode.Decompress),
            _ => body,
        };
        var reader = new JsonUsageReader();
        var piece = ArrayPool<byte>.Shared.Rent(64 * 1024);
        try
        {
            for (var read = decoded.Read(piece); read > 0; read = decoded.Read(piece))
            {
                reader.Append(piece.AsSpan(0, read));
            }

            return reader;
        }
        catch (InvalidDataException)
        {
            reader.Dispose();
            return null;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(piece);
        }
    }

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        Decide();
        if (events is null)
        {
            json?.Append(buffer.Span);
            Capture(buffer.Span);
            await inner.WriteAsync(buffer, cancellationToken);
            return;
        }

        events.Append(buffer.Span, forwarded!);
        await FlushForwardedAsync(cancellationToken);
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Write(byte[] buffer, int offset, int count) =>
        WriteAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);

    public override void Flush() => inner.Flush();

    private void Decide()
    {
        Started = true;
        if (decided)
        {
            return;
        }

        decided = true;
        var eventStream = response.ContentType?.StartsWith("text/event-stream", StringComparison.OrdinalIgnoreCase) == true;
        if (eventStream && !Encoded)
        {
            events = new SseEventMeter(forwardUsageChunk);
            forwarded = new ArrayBufferWriter<byte>();
        }
        else if (!eventStream && Encoded)
        {
            capturing = true;
        }
        else if (!eventStream)
        {
            json = new JsonUsageReader();
        }
    }

    private async Task FlushForwardedAsync(CancellationToken cancellationToken)
    {
        if (forwarded!.WrittenCount == 0)
        {
            return;
        }

        await inner.WriteAsync(forwarded.WrittenMemory, cancellationToken);
        forwarded.ResetWrittenCount();
    }

    private void Capture(ReadOnlySpan<byte> bytes)
    {
        if (!capturing)
        {
            return;
        }

        var length = capturedLength + bytes.Length;
        if (length > MaxCapturedBytes)
        {
            overflowed = true;
            capturing = false;
            ReturnCaptured();
            return;
        }

        if (captured is null || captured.Length < length)
        {
            // The first rent fits a declared Content-Length whole; later ones at least double.
            var declared = (int)Math.Min(response.ContentLength ?? 0, MaxCapturedBytes);
            var larger = ArrayPool<byte>.Shared.Rent(Math.Max(length, Math.Max(declared, 2 * (captured?.Length ?? 0))));
            captured?.AsSpan(0, capturedLength).CopyTo(larger);
            ReturnCaptured();
            captured = larger;
        }

        bytes.CopyTo(captured.AsSpan(capturedLength));
        capturedLength = length;
    }

    private void ReturnCaptured()
    {
        if (captured is not null)
        {
            ArrayPool<byte>.Shared.Return(captured);
            captured = null;
        }
    }

    protected override void Dispose(bool disposing)
    {
        // Only the pooled buffers are ours: the inner body belongs to the response.
        ReturnCaptured();
        json?.Dispose();
        base.Dispose(disposing);
    }

    public override bool CanRead => false;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
}
