using System.Net.Http.Headers;
using DosAi.Orleans.Gateway.Admission;
using Microsoft.Extensions.Options;
using Yarp.ReverseProxy.Forwarder;

namespace DosAi.Orleans.Gateway.Proxy;

/// <summary>Swaps the client's key for the upstream credential and stamps the rate-limit headers on the response.</summary>
public sealed class UpstreamTransformer(IOptions<UpstreamOptions> options) : HttpTransformer
{
    private static readonly StringWithQualityHeaderValue Identity = new("identity");

    private readonly AuthenticationHeaderValue? upstreamAuthorization =
        string.IsNullOrEmpty(options.Value.ApiKey) ? null : new AuthenticationHeaderValue("Bearer", options.Value.ApiKey);

    public override async ValueTask TransformRequestAsync(HttpContext httpContext, HttpRequestMessage proxyRequest, string destinationPrefix, CancellationToken cancellationToken)
    {
        await base.TransformRequestAsync(httpContext, proxyRequest, destinationPrefix, cancellationToken);
        proxyRequest.Headers.Authorization = upstreamAuthorization;
        proxyRequest.Headers.Remove("Cookie");
        // Metering reads the body as it passes, so ask for it uncompressed.
        proxyRequest.Headers.AcceptEncoding.Clear();
        proxyRequest.Headers.AcceptEncoding.Add(Identity);
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
