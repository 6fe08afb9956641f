using Microsoft.AspNetCore.Http.Features;

namespace DosAi.Orleans.Gateway.Proxy;

public static class RequestBody
{
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

        if (declared is { } length)
        {
            // The usual case: one exact-size array, no copies (Kestrel enforces Content-Length).
            var body = new byte[length];
            await context.Request.Body.ReadExactlyAsync(body, context.RequestAborted);
            return body;
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await context.Request.Body.ReadAsync(chunk, context.RequestAborted)) > 0)
        {
            if (buffer.Length + read > limit)
            {
                return null;
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }
}
