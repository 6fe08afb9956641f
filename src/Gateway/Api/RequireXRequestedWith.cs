using DosAi.Orleans.Gateway.Admission;

namespace DosAi.Orleans.Gateway.Api;

/// <summary>
/// CSRF defence for cookie-authenticated writes: browsers cannot add <c>X-Requested-With</c> to a
/// cross-site request without a CORS preflight, and the gateway never grants one.
/// </summary>
public sealed class RequireXRequestedWith : IEndpointFilter
{
    public ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        if (context.HttpContext.Request.Headers["X-Requested-With"] != "XMLHttpRequest")
        {
            return ValueTask.FromResult<object?>(OpenAiError.Result(StatusCodes.Status403Forbidden,
                "This request must carry the header X-Requested-With: XMLHttpRequest.", "invalid_request_error", "csrf_header_missing"));
        }

        return next(context);
    }
}
