using DosAi.Orleans.Gateway.Admission;

namespace DosAi.Orleans.Gateway.Api;

/// <summary>The management APIs answer errors in the same JSON shape as the inference API.</summary>
public static class ApiErrors
{
    public static IResult BadRequest(string message, string code = "invalid_request") =>
        OpenAiError.Result(StatusCodes.Status400BadRequest, message, "invalid_request_error", code);

    public static IResult NotFound(string message) =>
        OpenAiError.Result(StatusCodes.Status404NotFound, message, "invalid_request_error", "not_found");

    public static IResult Conflict(string message) =>
        OpenAiError.Result(StatusCodes.Status409Conflict, message, "invalid_request_error", "conflict");

    public static IResult Unauthorized(string message) =>
        OpenAiError.Result(StatusCodes.Status401Unauthorized, message, "invalid_request_error", "unauthorized");
}
