using System.Globalization;
using System.Text.Json;

namespace DosAi.Orleans.Gateway.Proxy;

/// <summary>
/// The upstream answered 429: the limits or quota of the operator's upstream account were reached, not the
/// client's key's. Its body, which names that account's organization and limits, is withheld; when to retry and
/// the error's code (for the operator's log) are kept.
/// </summary>
public sealed record UpstreamRateLimited(TimeSpan? RetryAfter, string? Code)
{
    /// <summary>An error body larger than this is not read for its code.</summary>
    private const int MaxReadBytes = 4096;

    /// <summary>No upstream wait longer than this is passed on: a client told to wait a day would give up instead.</summary>
    private static readonly TimeSpan LongestRetryAfter = TimeSpan.FromHours(1);

    public static async Task<UpstreamRateLimited> ReadAsync(HttpResponseMessage response, CancellationToken cancellationToken) =>
        new(RetryAfterOf(response), await CodeOf(response, cancellationToken));

    /// <summary><c>retry-after-ms</c> (OpenAI's, exact) before <c>Retry-After</c> (seconds or a date).</summary>
    private static TimeSpan? RetryAfterOf(HttpResponseMessage response)
    {
        TimeSpan? wait = null;
        if (response.Headers.TryGetValues("retry-after-ms", out var values)
            && double.TryParse(values.First(), NumberStyles.Float, CultureInfo.InvariantCulture, out var milliseconds)
            && double.IsFinite(milliseconds) && milliseconds >= 0)
        {
            wait = TimeSpan.FromMilliseconds(Math.Min(milliseconds, LongestRetryAfter.TotalMilliseconds));
        }
        else if (response.Headers.RetryAfter is { } retryAfter)
        {
            wait = retryAfter.Delta ?? (retryAfter.Date is { } date ? date - DateTimeOffset.UtcNow : null);
        }

        return wait is { } known ? TimeSpan.FromTicks(Math.Clamp(known.Ticks, 0, LongestRetryAfter.Ticks)) : null;
    }

    /// <summary>The OpenAI error's <c>code</c> (e.g. <c>insufficient_quota</c>), else its <c>type</c>.</summary>
    private static async Task<string?> CodeOf(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var buffer = new byte[MaxReadBytes];
        var length = 0;
        try
        {
            await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
            int read;
            while (length < buffer.Length && (read = await body.ReadAsync(buffer.AsMemory(length), cancellationToken)) > 0)
            {
                length += read;
            }

            using var document = JsonDocument.Parse(buffer.AsMemory(0, length));
            return document.RootElement.TryGetProperty("error", out var error) && error.ValueKind == JsonValueKind.Object
                ? Text(error, "code") ?? Text(error, "type")
                : null;
        }
        catch (Exception exception) when (exception is JsonException or IOException or HttpRequestException or OperationCanceledException)
        {
            return null;
        }
    }

    private static string? Text(JsonElement owner, string property) =>
        owner.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String && value.GetString() is { Length: > 0 and <= 64 } text
            ? text
            : null;
}
