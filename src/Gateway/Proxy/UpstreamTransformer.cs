using System.Net;
using DosAi.Orleans.Gateway.Admission;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;
using Yarp.ReverseProxy.Forwarder;

namespace DosAi.Orleans.Gateway.Proxy;

/// <summary>
/// Swaps the client's key for the upstream credential, keeps what concerns only the operator's upstream account
/// (its organization, its credential's refusal, its rate limits) from the client, and stamps the key's rate-limit
/// headers on the response.
/// </summary>
public sealed class UpstreamTransformer(IOptions<UpstreamOptions> options) : HttpTransformer
{
    /// <summary>Set when the upstream answered 401: its response is withheld, for the proxy to answer 502 instead.</summary>
    private sealed class CredentialsRefused
    {
        public static readonly CredentialsRefused Instance = new();
    }

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

    /// <summary>
    /// The client's key never goes upstream, so an upstream 401 is about the operator's credential: passed on,
    /// the client's SDK would report its own key as wrong (and OpenAI's message quotes the end of the operator's).
    /// </summary>
    public static bool RefusedCredentials(HttpContext httpContext) =>
        httpContext.Response.StatusCode == StatusCodes.Status401Unauthorized && httpContext.Features.Get<CredentialsRefused>() is not null;

    /// <summary>
    /// The client's key is limited by the gateway, so an upstream 429 is about the operator's upstream account, whose
    /// organization and limits OpenAI's message names: withheld, for the proxy to answer in its own words.
    /// </summary>
    public static UpstreamRateLimited? RateLimited(HttpContext httpContext) =>
        httpContext.Response.StatusCode == StatusCodes.Status429TooManyRequests ? httpContext.Features.Get<UpstreamRateLimited>() : null;

    public override async ValueTask<bool> TransformResponseAsync(HttpContext httpContext, HttpResponseMessage? proxyResponse, CancellationToken cancellationToken)
    {
        if (proxyResponse?.StatusCode == HttpStatusCode.Unauthorized)
        {
            httpContext.Features.Set(CredentialsRefused.Instance);
            return false;
        }

        if (proxyResponse?.StatusCode == HttpStatusCode.TooManyRequests)
        {
            httpContext.Features.Set(await UpstreamRateLimited.ReadAsync(proxyResponse, cancellationToken));
            return false;
        }

        var proceed = await base.TransformResponseAsync(httpContext, proxyResponse, cancellationToken);
        // The operator's upstream account is not the client's business: its organization and project ids, and
        // the cookies its CDN sets for its own domain (this origin also serves the dashboard).
        var headers = httpContext.Response.Headers;
        headers.Remove("OpenAI-Organization");
        headers.Remove("OpenAI-Project");
        headers.Remove(HeaderNames.SetCookie);
        if (httpContext.Features.Get<AdmittedRequest>() is { } admitted)
        {
            RateLimitHeaders.Apply(headers, admitted.Limits);
        }

        return proceed;
    }
}
