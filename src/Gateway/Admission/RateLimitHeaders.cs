using System.Globalization;
using System.Runtime.CompilerServices;
using DosAi.Orleans.Grains.Interfaces.ApiKeys;

namespace DosAi.Orleans.Gateway.Admission;

public static class RateLimitHeaders
{
    public static void Apply(IHeaderDictionary headers, RateLimitSnapshot limits)
    {
        headers["x-ratelimit-limit-requests"] = limits.RequestLimit.ToString(CultureInfo.InvariantCulture);
        headers["x-ratelimit-remaining-requests"] = Math.Max(0, limits.RequestLimit - limits.RequestsUsed).ToString(CultureInfo.InvariantCulture);
        headers["x-ratelimit-reset-requests"] = FormatDuration(limits.RequestsReset);
        headers["x-ratelimit-limit-tokens"] = limits.TokenLimit.ToString(CultureInfo.InvariantCulture);
        headers["x-ratelimit-remaining-tokens"] = Math.Max(0, limits.TokenLimit - limits.TokensUsed).ToString(CultureInfo.InvariantCulture);
        headers["x-ratelimit-reset-tokens"] = FormatDuration(limits.TokensReset);
    }

    /// <summary><c>Retry-After</c> in whole seconds (rounded up, at least 1) and <c>retry-after-ms</c> exactly.</summary>
    public static void ApplyRetryAfter(IHeaderDictionary headers, TimeSpan wait)
    {
        var milliseconds = CeilingMilliseconds(wait);
        headers.RetryAfter = Math.Max(1, (milliseconds + 999) / 1000).ToString(CultureInfo.InvariantCulture);
        headers["retry-after-ms"] = milliseconds.ToString(CultureInfo.InvariantCulture);
    }

    /// <summary>A wait in seconds for a message, as OpenAI writes it: "Please try again in 12.3s."</summary>
    public static string Seconds(TimeSpan wait) =>
        (CeilingMilliseconds(wait) / 1000.0).ToString("0.###", CultureInfo.InvariantCulture);

    public static long CeilingMilliseconds(TimeSpan wait) =>
        Math.Max(0, (wait.Ticks + TimeSpan.TicksPerMillisecond - 1) / TimeSpan.TicksPerMillisecond);

    /// <summary>OpenAI's (Go's) duration style at millisecond precision: "12ms", "1.5s", "6m0s", "1h0m0s".</summary>
    public static string FormatDuration(TimeSpan duration)
    {
        var milliseconds = CeilingMilliseconds(duration);
        if (milliseconds == 0)
        {
            return "0s";
        }

        // Formatted on the stack: two of these go out with every response.
        var text = new DefaultInterpolatedStringHandler(0, 0, CultureInfo.InvariantCulture, stackalloc char[48]);
        if (milliseconds < 1000)
        {
            text.AppendFormatted(milliseconds);
            text.AppendLiteral("ms");
            return text.ToStringAndClear();
        }

        var hours = milliseconds / 3_600_000;
        var minutes = milliseconds / 60_000 % 60;
        if (hours > 0)
        {
            text.AppendFormatted(hours);
            text.AppendLiteral("h");
        }

        if (hours > 0 || minutes > 0)
        {
            text.AppendFormatted(minutes);
            text.AppendLiteral("m");
        }

        text.AppendFormatted(milliseconds % 60_000 / 1000);
        var fraction = milliseconds % 1000;
        if (fraction > 0)
        {
            // Decimal places without trailing zeros: .5, .05, .123.
            text.AppendLiteral(".");
            if (fraction % 100 == 0)
            {
                text.AppendFormatted(fraction / 100);
            }
            else if (fraction % 10 == 0)
            {
                text.AppendFormatted(fraction / 10, "00");
            }
            else
            {
                text.AppendFormatted(fraction, "000");
            }
        }

        text.AppendLiteral("s");
        return text.ToStringAndClear();
    }
}
