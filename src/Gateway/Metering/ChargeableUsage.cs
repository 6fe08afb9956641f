namespace DosAi.Orleans.Gateway.Metering;

/// <summary>What one finished request is charged for, from what its response showed.</summary>
public static class ChargeableUsage
{
    /// <summary>
    /// The upstream's reported usage when there is one. Otherwise: nothing when the upstream failed or
    /// produced no output; for a stream cut short, the prompt estimate plus the tokens of the text that
    /// was produced (the prompt alone when the client left before any text came); for a successful body
    /// cut short or unreadable (compressed events, a token too large to read), the full estimate; for a
    /// whole completion or response without usage, the prompt estimate plus the tokens of the text it
    /// produced, as for a stream; for other successful responses that carry no usage (e.g. <c>/v1/models</c>),
    /// zero tokens.
    /// </summary>
    public static Usage Resolve(InferenceRequest request, ResponseMeter meter, int status, bool completed, bool clientLeft, TokenCounter tokens)
    {
        if (meter.ReportedUsage() is { } reported)
        {
            return reported;
        }

        if (status is < 200 or >= 300 || !meter.Started)
        {
            return default;
        }

        if (meter.IsEventStream)
        {
            var text = meter.CompletionText;
            return text.Length == 0 && !clientLeft ? default : new Usage(request.PromptTokens, tokens.Count(text));
        }

        if (!completed || request.Stream || meter.UsageUnknown)
        {
            return new Usage(request.PromptTokens, request.CompletionCap);
        }

        return meter.IsGeneration ? new Usage(request.PromptTokens, tokens.Count(meter.CompletionText)) : default;
    }
}
