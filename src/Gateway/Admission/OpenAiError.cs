using System.Text.Encodings.Web;
using System.Text.Json;

namespace DosAi.Orleans.Gateway.Admission;

/// <summary>Errors in OpenAI's shape: <c>{"error":{"message","type","param","code"}}</c>.</summary>
public static class OpenAiError
{
    // Messages are read by people: keep quotes and ellipses literal instead of \u-escaped.
    private static readonly JsonSerializerOptions Options = new()
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        TypeInfoResolver = OpenAiJsonContext.Default,
    };

    public static Task WriteAsync(HttpContext context, int status, string message, string type, string? code)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        return context.Response.WriteAsync(Serialize(message, type, code), context.RequestAborted);
    }

    public static IResult Result(int status, string message, string type, string? code) =>
        TypedResults.Text(Serialize(message, type, code), "application/json", statusCode: status);

    private static string Serialize(string message, string type, string? code) =>
        JsonSerializer.Serialize(new ErrorEnvelope(new ErrorBody(message, type, null, code)), Options);
}
