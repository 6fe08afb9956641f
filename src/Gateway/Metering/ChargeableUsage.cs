namespace DosAi.Orleans.Gateway.Metering;

/// <summary>What one finished request is charged for, from what its response showed.</summary>
public static class ChargeableUsage
{
    /// <summary>
    /// Nothing for a failed call (not 2xx), even one whose error body counts tokens. Otherwise the upstream's reported
    /// usage when there is one, except in a stream cut short whose last usage came on a content chunk (a running
    /// count or a placeholder): then each count is the larger of that usage and what the rules for none give (a zero
    /// prompt count reads as the estimate). Without usage: nothing when the upstream produced no output; for a
    /// stream cut short, the prompt estimate plus the tokens of the text that was produced (the prompt alone when
    /// the client left before any text came); for a successful body cut short or unreadable (compressed events, a
    /// token too large to read), the full estimate; for a whole completion or response, the prompt estimate plus
    /// the tokens of the text it produced, as for a stream; for other successful responses (e.g. <c>/v1/models</c>),
    /// zero tokens.
    /// </summary>
    public static Usage Resolve(InferenceRequest request, ResponseMeter meter, int status, bool completed, bool clientLeft, TokenCounter tokens)
    {
        if (status is < 200 or >= 300)
        {
            return default;
        }

        if (meter.ReportedUsage() is { } reported)
        {
            if (completed || !meter.IsEventStream || meter.UsageIsFinal)
            {
                return reported;
            }

            return new Usage(
                reported.PromptTokens > 0 ? reported.PromptTokens : request.PromptTokens,
                Math.Max(reported.CompletionTokens, tokens.Count(meter.CompletionText)));
        }

        if (!meter.Started)
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
