using System.Text.Json;

namespace DosAi.Orleans.Gateway.Metering;

public readonly record struct Usage(long PromptTokens, long CompletionTokens)
{
    /// <summary>
    /// The most tokens one count of a request stands for (a completion cap, a reported usage): more is no real
    /// request, and every plan refuses it as too large, while its cost and window sums stay far from overflowing.
    /// </summary>
    public const long MostTokens = int.MaxValue;

    /// <summary>
    /// Reads an OpenAI <c>usage</c> object: chat and completions name the counts prompt and completion tokens,
    /// the Responses API input and output tokens; embeddings report only prompt and total tokens. A total beyond
    /// prompt and completion (some upstreams leave reasoning out of the completion count but not the total) counts
    /// as completion tokens: the window is corrected to the total, and what was generated is charged.
    /// </summary>
    public static Usage? From(JsonElement usage)
    {
        if (usage.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        var prompt = Read(usage, "prompt_tokens") ?? Read(usage, "input_tokens");
        var completion = Read(usage, "completion_tokens") ?? Read(usage, "output_tokens");
        var total = Read(usage, "total_tokens");
        if (prompt is null && total is null)
        {
            return null;
        }

        var promptTokens = prompt ?? 0;
        return new Usage(promptTokens, Math.Max(completion ?? 0, (total ?? 0) - promptTokens));
    }

    private static long? Read(JsonElement usage, string name) =>
        usage.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var number) && number >= 0
            ? Math.Min(number, MostTokens)
            : null;
}
