using System.Text.Json;

namespace DosAi.Orleans.Gateway.Metering;

/// <summary>
/// Wraps the client-facing response body: every write goes straight through (flushes too, so SSE is
/// never held back) while a copy is kept to find <c>usage</c>. JSON bodies are kept whole up to
/// <see cref="MaxCapturedBytes"/>; event streams are scanned line by line as they pass.
/// </summary>
public sealed class ResponseMeter(Stream inner) : Stream
{
    public const int MaxCapturedBytes = 32 * 1024 * 1024;

    private readonly MemoryStream captured = new();
    private bool overflowed;

    public Stream Inner => inner;

    public bool Started { get; private set; }

    public Usage? FindUsage(bool eventStream)
    {
        if (overflowed || captured.Length == 0)
        {
            return null;
        }

        var bytes = captured.GetBuffer().AsSpan(0, (int)captured.Length);
        return eventStream ? SseUsage.Find(bytes) : FromJson(bytes);
    }

    private static Usage? FromJson(ReadOnlySpan<byte> bytes)
    {
        try
        {
            var reader = new Utf8JsonReader(bytes);
            using var document = JsonDocument.ParseValue(ref reader);
            return document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty("usage", out var usage)
                ? Usage.From(usage)
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        Started = true;
        Capture(buffer.Span);
        await inner.WriteAsync(buffer, cancellationToken);
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Write(byte[] buffer, int offset, int count)
    {
        Started = true;
        Capture(buffer.AsSpan(offset, count));
        inner.Write(buffer, offset, count);
    }

    public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);

    public override void Flush() => inner.Flush();

    private void Capture(ReadOnlySpan<byte> bytes)
    {
        if (overflowed)
        {
            return;
        }

        if (captured.Length + bytes.Length > MaxCapturedBytes)
        {
            overflowed = true;
            captured.SetLength(0);
            return;
        }

        captured.Write(bytes);
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
