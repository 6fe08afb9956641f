using Microsoft.AspNetCore.Http.Features;

namespace DosAi.Orleans.Gateway.Proxy;

public static class RequestBody
{
    /// <summary>
    /// The most memory a body gets before its bytes arrive. A declared Content-Length is not taken on trust:
    /// a client that declares megabytes and sends nothing would hold them (a few thousand such connections,
    /// gigabytes), so a larger body grows as it comes.
    /// </summary>
    public const int FirstBufferBytes = 64 * 1024;

    /// <summary>The whole body, or null when it exceeds <paramref name="limit"/> bytes.</summary>
    public static async Task<byte[]?> ReadAsync(HttpContext context, long limit)
    {
        var declared = context.Request.ContentLength;
        if (declared > limit)
        {
            return null;
        }

        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } sizeFeature)
        {
            // Our own limit applies; Kestrel's would throw instead of answering in the contract's shape.
            sizeFeature.MaxRequestBodySize = null;
        }

        // Kestrel enforces Content-Length, so a declared body ends exactly there; one more byte shows an undeclared one is too large.
        var most = Math.Min(declared ?? limit + 1, Array.MaxLength);
        var buffer = new byte[Math.Min(most, FirstBufferBytes)];
        var filled = 0;
        while (true)
        {
            if (filled == buffer.Length)
            {
                if (filled == most)
                {
                    break;
                }

                Array.Resize(ref buffer, (int)Math.Min(2L * buffer.Length, most));
            }

            var read = await context.Request.Body.ReadAsync(buffer.AsMemory(filled), context.RequestAborted);
            if (read == 0)
            {
                break;
            }

            filled += read;
        }

        if (filled > limit)
        {
            return null;
        }

        if (declared is { } length && filled != length)
        {
            throw new EndOfStreamException("The request body ended before its declared length.");
        }

        return filled == buffer.Length ? buffer : buffer[..filled];
    }
}
