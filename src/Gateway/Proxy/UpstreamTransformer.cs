using DosAi.Orleans.Gateway.Admission;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;
using Yarp.ReverseProxy.Forwarder;

namespace DosAi.Orleans.Gateway.Proxy;

/// <summary>Swaps the client's key for the upstream credential and stamps the rate-limit headers on the response.</summary>
public sealed class UpstreamTransformer(IOptions<UpstreamOptions> options) : HttpTransformer
{
    private readonly string? upstreamAuthorization =
        string.IsNullOrEmpty(options.Value.ApiKey) ? null : "Bearer " + options.Value.ApiKey;

    public override async ValueTask TransformRequestAsync(HttpContext httpContext, HttpRequestMessage proxyRequest, string destinationPrefix, CancellationToken cancellationToken)
    {
        // Taken out of the client's request before YARP copies it (cheaper than editing the copy): the
        // client's key and cookies never go upstream, nor a choice of the upstream account's organization or
        // project (the operator's credential decides those), and metering reads the body as it passes, so
        // the upstream is asked for it uncompressed.
        var clientHeaders = httpContext.Request.Headers;
        clientHeaders.Remove(HeaderNames.Authorization);
        clientHeaders.Remove(HeaderNames.Cookie);
        clientHeaders.Remove(HeaderNames.AcceptEncoding);
        clientHeaders.Remove("OpenAI-Organization");
        clientHeaders.Remove("OpenAI-Project");
        await base.TransformRequestAsync(httpContext, proxyRequest, destinationPrefix, cancellationToken);
        if (upstreamAuthorization is not null)
        {
            proxyRequest.Headers.TryAddWithoutValidation(HeaderNames.Authorization, upstreamAuthorization);
        }

        proxyRequest.Headers.TryAddWithoutValidation(HeaderNames.AcceptEncoding, "identity");
    }

    public override async ValueTask<bool> TransformResponseAsync(HttpContext httpContext, HttpResponseMessage? proxyResponse, CancellationToken cancellationToken)
    {
        var proceed = await base.TransformResponseAsync(httpContext, proxyResponse, cancellationToken);
        if (httpContext.Features.Get<AdmittedRequest>() is { } admitted)
        {
            RateLimitHeaders.Apply(httpContext.Response.Headers, admitted.Limits);
        }

        return proceed;
    }
}
