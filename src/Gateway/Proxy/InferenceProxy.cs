using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Unicode;
using DosAi.Orleans.Gateway.Admission;
using DosAi.Orleans.Gateway.Hosting;
using DosAi.Orleans.Gateway.Metering;
using DosAi.Orleans.Grains.ApiKeys;
using DosAi.Orleans.Grains.Interfaces;
using DosAi.Orleans.Grains.Interfaces.ApiKeys;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;
using Yarp.ReverseProxy.Forwarder;

namespace DosAi.Orleans.Gateway.Proxy;

/// <summary>
/// Every <c>/v1/*</c> request: key check (no grain call for malformed keys), estimate, admission by the
/// key's grain, forward with YARP, meter the response, settlement by the key's grain. A key grain active in
/// this process is reached directly for what needs no account call (<see cref="CoHostedApiKeys"/>).
/// </summary>
public sealed class InferenceProxy(
    GrainReferenceFactory<IApiKeyGrain> keys,
    CoHostedApiKeys coHostedKeys,
    IHttpForwarder forwarder,
    UpstreamClient upstream,
    AllowedUpstreamPaths allowedPaths,
    UpstreamTransformer transformer,
    TokenCounter tokens,
    IOptions<PricingOptions> pricing,
    IOptions<GatewayLimitsOptions> limits,
    GatewayMetrics metrics,
    ILogger<InferenceProxy> logger)
{
    /// <summary>
    /// Above this size a body is read (when its length is declared) and counted only once its key is known to
    /// exist: reading and counting cost up to ~0.1 s, which a made-up key (any that passes the checksum) must not
    /// be able to spend. Below it, the key is checked at admission as usual, saving a grain call per request on
    /// gateways that do not host the key.
    /// </summary>
    private const int KeyCheckedFirstAboveBytes = 16 * 1024;

    private readonly OncePerMinute credentialsWarning = new();
    private readonly OncePerMinute rateLimitWarning = new();

    public async Task HandleAsync(HttpContext context)
    {
        if (context.Request.Headers.Authorization.Count > 1)
        {
            // Which of several keys to bill is no guess to make: the request is refused, naming its mistake.
            await Reject(context, StatusCodes.Status401Unauthorized,
                "The request has more than one Authorization header. Send your API key in one, as 'Bearer dos_sk_…'.",
                "invalid_request_error", "invalid_api_key");
            return;
        }

        var token = BearerToken.From(context.Request.Headers.Authorization);
        if (token is null)
        {
            await Reject(context, StatusCodes.Status401Unauthorized,
                "You didn't provide an API key. Send it in the Authorization header as 'Bearer dos_sk_…'.",
                "invalid_request_error", "missing_api_key");
            return;
        }

        if (!ApiKeyFormat.IsWellFormed(token))
        {
            await RejectInvalidKey(context);
            return;
        }

        var grainKey = GrainKeyOf(token);
        var coHosted = coHostedKeys.Find(grainKey);
        if (!allowedPaths.Allows(context.Request.Method, context.Request.Path))
        {
            // A deleted or made-up key is told so first, on every path; which paths exist is for customers.
            if (!await KeyExists(grainKey, coHosted))
            {
                await RejectInvalidKey(context);
                return;
            }

            await Reject(context, StatusCodes.Status404NotFound,
                $"This endpoint is not available through this gateway: {context.Request.Path}.", "invalid_request_error", "not_found");
            return;
        }

        if (IsConnectionUpgrade(context))
        {
            // A WebSocket session (the Realtime API) carries its usage in events the gateway does not read: it would be free.
            await Reject(context, StatusCodes.Status400BadRequest,
                "Protocol upgrades such as WebSocket connections (the Realtime API) are not supported: the gateway meters HTTP requests only.",
                "invalid_request_error", "unsupported_protocol");
            return;
        }

        var declaresLargeBody = context.Request.ContentLength > KeyCheckedFirstAboveBytes;
        if (declaresLargeBody && !await KeyExists(grainKey, coHosted))
        {
            await RejectInvalidKey(context);
            return;
        }

        byte[]? body;
        try
        {
            body = await RequestBody.ReadAsync(context, limits.Value.MaxRequestBodyBytes);
        }
        catch (Exception exception) when (exception is IOException or BadHttpRequestException or OperationCanceledException)
        {
            // The client went away (or stalled) before sending its whole body: nobody to answer, nothing to charge.
            return;
        }

        if (body is null)
        {
            await Reject(context, StatusCodes.Status413RequestEntityTooLarge,
                $"The request body is larger than the limit of {limits.Value.MaxRequestBodyBytes} bytes.", "invalid_request_error", "request_too_large");
            return;
        }

        if (!declaresLargeBody && body.Length > KeyCheckedFirstAboveBytes && !await KeyExists(grainKey, coHosted))
        {
            await RejectInvalidKey(context);
            return;
        }

        InferenceRequest request;
        try
        {
            request = Inspect(context, body);
        }
        catch (JsonException)
        {
            await Reject(context, StatusCodes.Status400BadRequest,
                "We could not parse the JSON body of your request. The request body must be valid JSON, encoded as UTF-8.", "invalid_request_error", "invalid_json");
            return;
        }
        catch (InvalidRequestException invalid)
        {
            await Reject(context, StatusCodes.Status400BadRequest, invalid.Message, "invalid_request_error", invalid.Code);
            return;
        }

        if (request.Background)
        {
            await Reject(context, StatusCodes.Status400BadRequest,
                "Background responses are not supported: the gateway meters each response in the request that generates it. Send the request without \"background\": true.",
                "invalid_request_error", "unsupported_parameter");
            return;
        }

        var estimatedCost = pricing.Value.CostMicros(request.Model, request.PromptTokens, request.CompletionCap);
        var admissionRequest = new AdmissionRequest(request.EstimatedTokens, estimatedCost);
        var started = Stopwatch.GetTimestamp();
        if (coHosted is null || !coHosted.TryAdmit(admissionRequest, out var admission))
        {
            admission = await keys.Get(grainKey).Admit(admissionRequest);
        }

        metrics.AdmissionLatency.Record(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        if (admission.Outcome != AdmissionOutcome.Admitted)
        {
            await Refuse(context, admission, request, estimatedCost);
            return;
        }

        context.Features.Set(new AdmittedRequest(admission.Limits!));
        var usage = default(Usage);
        try
        {
            usage = await ForwardAsync(context, request, body);
        }
        finally
        {
            // Always settle, even if forwarding failed unexpectedly: the reservation must be released.
            // Awaited here, not in a method of its own: one async state machine less allocated per request.
            var cost = pricing.Value.CostMicros(request.Model, usage.PromptTokens, usage.CompletionTokens);
            try
            {
                var settlement = new Settlement(admission.Ticket, request.Model, usage.PromptTokens, usage.CompletionTokens, cost);
                if (coHosted is null || !coHosted.TrySettle(settlement))
                {
                    await keys.Get(grainKey).Settle(settlement);
                }

                metrics.CountUsage(usage, cost);
            }
            catch (Exception exception)
            {
                logger.LogError(exception, "Settlement for key {KeyId} failed", admission.Ticket.KeyId);
            }
        }
    }

    /// <summary>
    /// A request to switch the connection to another protocol (a WebSocket over HTTP/1.1, or over HTTP/2 by extended
    /// CONNECT). <c>Upgrade: h2c</c>, which curl's <c>--http2</c> sends on plain HTTP, is not one: Kestrel ignores it.
    /// </summary>
    private static bool IsConnectionUpgrade(HttpContext context) =>
        (context.Features.Get<IHttpUpgradeFeature>()?.IsUpgradableRequest == true
            && !string.Equals(context.Request.Headers.Upgrade.ToString(), "h2c", StringComparison.OrdinalIgnoreCase))
        || context.Features.Get<IHttpExtendedConnectFeature>()?.IsExtendedConnect == true;

    private async ValueTask<bool> KeyExists(IdSpan grainKey, ICoHostedApiKey? coHosted) =>
        coHosted?.Exists ?? await keys.Get(grainKey).IsLive();

    private static IdSpan GrainKeyOf(string token)
    {
        Span<byte> keyHash = stackalloc byte[SHA256.HashSizeInBytes];
        ApiKeyFormat.Hash(token, keyHash);
        return GrainKeys.ForKeyHash(keyHash);
    }

    /// <summary>Forwards an admitted request and returns what it is to be charged for.</summary>
    private async Task<Usage> ForwardAsync(HttpContext context, InferenceRequest request, byte[] body)
    {
        var askForUsage = request.Stream && !request.ClientWantsStreamUsage && StreamUsageOption.Applies(context.Request.Path);
        if (askForUsage)
        {
            body = StreamUsageOption.Add(body);
        }

        context.Request.Body = new MemoryStream(body, writable: false);
        context.Request.ContentLength = body.Length;
        using var meter = new ResponseMeter(context.Response.Body, context.Response, forwardUsageChunk: !askForUsage);
        context.Response.Body = meter;
        ForwarderError error;
        try
        {
            error = await forwarder.SendAsync(context, upstream.Prefix, upstream.Invoker, upstream.RequestConfig, transformer);
            if (error == ForwarderError.None)
            {
                await meter.CompleteAsync(context.RequestAborted);
            }
        }
        catch (Exception exception) when (exception is IOException or OperationCanceledException)
        {
            error = ForwarderError.ResponseBodyClient; // the client went away while the last event was written
        }
        finally
        {
            context.Response.Body = meter.Inner;
        }

        var usage = GeneratingPaths.Generates(context.Request.Method, context.Request.Path.Value ?? "")
            ? ChargeableUsage.Resolve(request, meter, context.Response.StatusCode, error == ForwarderError.None, context.RequestAborted.IsCancellationRequested, tokens)
            : default;
        if (error != ForwarderError.None && !context.Response.HasStarted)
        {
            var timedOut = error == ForwarderError.RequestTimedOut;
            await WriteUpstreamError(context,
                timedOut ? StatusCodes.Status504GatewayTimeout : StatusCodes.Status502BadGateway,
                timedOut ? "The model server did not answer in time." : "The model server could not be reached.",
                timedOut ? "upstream_timeout" : "upstream_unreachable");
        }
        else if (error == ForwarderError.None && UpstreamTransformer.RefusedCredentials(context))
        {
            await AnswerRefusedCredentials(context);
        }
        else if (error == ForwarderError.None && UpstreamTransformer.RateLimited(context) is { } rateLimited)
        {
            await AnswerUpstreamRateLimited(context, rateLimited);
        }

        metrics.CountRequest(context.Response.StatusCode);
        if (!context.RequestAborted.IsCancellationRequested)
        {
            // The client has its whole answer before settlement runs.
            await context.Response.CompleteAsync();
        }

        return usage;
    }

    private async Task AnswerRefusedCredentials(HttpContext context)
    {
        // Once a minute at most: every request fails the same way until the operator mends the credential.
        if (credentialsWarning.TryEnter())
        {
            logger.LogWarning("The upstream answered 401 Unauthorized: it refuses the gateway's credential (Upstream:ApiKey). Clients get 502 until it is mended.");
        }

        context.Response.Headers["x-should-retry"] = "false";
        await WriteUpstreamError(context, StatusCodes.Status502BadGateway,
            "The model server refused the gateway's own credentials; your API key is fine. Please try again later.",
            "upstream_credentials_refused");
    }

    private async Task AnswerUpstreamRateLimited(HttpContext context, UpstreamRateLimited rateLimited)
    {
        if (rateLimitWarning.TryEnter())
        {
            logger.LogWarning("The upstream answered 429 Too Many Requests ({UpstreamErrorCode}): the gateway's upstream account is rate-limited or out of quota. Clients get 429 upstream_rate_limited while it is.",
                rateLimited.Code ?? "no code");
        }

        var retry = "Please try again shortly.";
        if (rateLimited.RetryAfter is { } wait)
        {
            RateLimitHeaders.ApplyRetryAfter(context.Response.Headers, wait);
            retry = $"Please try again in {RateLimitHeaders.Seconds(wait)}s.";
        }

        await WriteUpstreamError(context, StatusCodes.Status429TooManyRequests,
            $"The model server is busy: the gateway's own upstream limits were reached, not your key's. {retry}",
            "upstream_rate_limited");
    }

    /// <summary>An admitted request the upstream did not serve: the contract's <c>upstream_error</c>, with the key's rate-limit headers.</summary>
    private static Task WriteUpstreamError(HttpContext context, int status, string message, string code)
    {
        RateLimitHeaders.Apply(context.Response.Headers, context.Features.GetRequiredFeature<AdmittedRequest>().Limits);
        return OpenAiError.WriteAsync(context, status, message, "upstream_error", code);
    }

    /// <summary>
    /// Reads a JSON body, and a body that begins as a JSON object whatever its Content-Type says: some upstreams
    /// (Ollama) ignore the header, and read the first JSON value of a body with anything after it, so a request
    /// labelled <c>text/plain</c>, or with trailing bytes, would otherwise be served with an estimate of zero. Both
    /// are refused when they are not valid JSON; a body that is neither (a form, a file) passes unestimated.
    /// </summary>
    private InferenceRequest Inspect(HttpContext context, byte[] body)
    {
        if (body.Length == 0 && GeneratingPaths.TakesJsonBody(context.Request.Method, context.Request.Path.Value ?? ""))
        {
            throw new InvalidRequestException("The request body is empty: this endpoint takes a JSON object, e.g. {\"model\": …}.", "invalid_json");
        }

        var declaredJson = IsJson(context.Request.ContentType);
        if (body.Length == 0 || !(declaredJson || StartsAnObject(body)))
        {
            return InferenceRequest.Empty;
        }

        // JSON is UTF-8 (RFC 8259), and the parser looks inside only the strings that are read.
        if (!Utf8.IsValid(body))
        {
            throw new JsonException("The request body is not valid UTF-8.");
        }

        using var document = JsonDocument.Parse(body);
        return InferenceRequest.Inspect(document.RootElement, context.Request.Path.Value ?? "", tokens, limits.Value.DefaultCompletionTokens);
    }

    private static bool StartsAnObject(ReadOnlySpan<byte> body) =>
        body.TrimStart(" \t\r\n"u8) is [(byte)'{', ..];

    private static bool IsJson(string? contentType) =>
        contentType is null || contentType.StartsWith("application/json", StringComparison.OrdinalIgnoreCase)
        || contentType.Contains("+json", StringComparison.OrdinalIgnoreCase);

    private Task RejectInvalidKey(HttpContext context) =>
        Reject(context, StatusCodes.Status401Unauthorized,
            "Incorrect API key provided. You can find or create your API keys in the DOS AI dashboard.", "invalid_request_error", "invalid_api_key");

    private Task Reject(HttpContext context, int status, string message, string type, string code)
    {
        metrics.CountRequest(status);
        return OpenAiError.WriteAsync(context, status, message, type, code);
    }

    private Task Refuse(HttpContext context, Grains.Interfaces.ApiKeys.Admission admission, InferenceRequest request, long estimatedCost)
    {
        if (admission.Limits is { } snapshot)
        {
            RateLimitHeaders.Apply(context.Response.Headers, snapshot);
        }

        var wait = admission.RetryAfter;
        var waitText = RateLimitHeaders.Seconds(wait);
        switch (admission.Outcome)
        {
            case AdmissionOutcome.RequestsExceeded:
                RateLimitHeaders.ApplyRetryAfter(context.Response.Headers, wait);
                return Reject(context, StatusCodes.Status429TooManyRequests,
                    $"Rate limit reached for requests per minute: Limit {admission.Limits!.RequestLimit}, Used {admission.Limits.RequestsUsed}, Requested 1. Please try again in {waitText}s.",
                    "requests", "rate_limit_exceeded");
            case AdmissionOutcome.TokensExceeded:
                RateLimitHeaders.ApplyRetryAfter(context.Response.Headers, wait);
                return Reject(context, StatusCodes.Status429TooManyRequests,
                    $"Rate limit reached for tokens per minute: Limit {admission.Limits!.TokenLimit}, Used {admission.Limits.TokensUsed}, Requested {request.EstimatedTokens}. Please try again in {waitText}s.",
                    "tokens", "rate_limit_exceeded");
            case AdmissionOutcome.RequestTooLarge:
                context.Response.Headers["x-should-retry"] = "false";
                return Reject(context, StatusCodes.Status429TooManyRequests,
                    $"Request too large for tokens per minute: Limit {admission.Limits!.TokenLimit}, Requested {request.EstimatedTokens} ({request.PromptTokens} prompt + {request.CompletionCap} completion cap). Shorten the prompt or lower max_completion_tokens.",
                    "tokens", "request_too_large");
            case AdmissionOutcome.InsufficientCredits:
                return Reject(context, StatusCodes.Status402PaymentRequired,
                    $"You have insufficient credits for this request (estimated cost ${Money.ToUsd(estimatedCost).ToString(CultureInfo.InvariantCulture)}). Add credits to your account and try again.",
                    "insufficient_quota", "insufficient_credits");
            default:
                return RejectInvalidKey(context);
        }
    }
}
