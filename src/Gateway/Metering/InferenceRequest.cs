using System.Globalization;
using System.Text.Json;

namespace DosAi.Orleans.Gateway.Metering;

/// <summary>What admission needs to know about one <c>/v1/*</c> request body.</summary>
/// <param name="Background">A Responses API request to run in the background (<c>"background": true</c>).</param>
public sealed record InferenceRequest(string? Model, bool Stream, bool ClientWantsStreamUsage, long PromptTokens, long CompletionCap, bool Background = false)
{
    public static readonly InferenceRequest Empty = new(null, false, false, 0, 0);

    // Completions one request can ask for (prompts × choices) that its cap counts: far beyond any real batch,
    // and small enough that the cap times a completion's most tokens stays far from overflowing.
    private const long MostCompletions = 1 << 20;

    public long EstimatedTokens => PromptTokens + CompletionCap;

    /// <summary>
    /// Estimates prompt tokens over messages (string or content parts, names, tool calls), tools,
    /// completion prompts, embedding inputs and the Responses API's input items and instructions, and the
    /// completion cap (<c>max_completion_tokens</c> ?? <c>max_tokens</c> ?? the configured default, times the
    /// completions asked for: <c>n</c> or <c>best_of</c>, for each prompt of a batch of completion prompts; for the
    /// Responses API <c>max_output_tokens</c> ?? the default).
    /// Throws <see cref="JsonException"/> for a string that is not valid text (see <see cref="Text"/>).
    /// </summary>
    public static InferenceRequest Inspect(JsonElement body, string path, TokenCounter tokens, int defaultCompletionTokens)
    {
        if (body.ValueKind != JsonValueKind.Object)
        {
            return Empty;
        }

        var model = body.TryGetProperty("model", out var m) && m.ValueKind == JsonValueKind.String ? ModelNames.Shared.Share(Text(m)) : null;
        var stream = body.TryGetProperty("stream", out var s) && s.ValueKind == JsonValueKind.True;
        var wantsUsage = stream && body.TryGetProperty("stream_options", out var options) && options.ValueKind == JsonValueKind.Object
            && options.TryGetProperty("include_usage", out var include) && include.ValueKind == JsonValueKind.True;

        var counter = new PromptCounter(tokens);
        long prompt = 0;
        if (body.TryGetProperty("messages", out var messages) && messages.ValueKind == JsonValueKind.Array)
        {
            prompt += CountMessages(messages, ref counter);
        }

        if (body.TryGetProperty("tools", out var tools) && tools.ValueKind == JsonValueKind.Array)
        {
            prompt += counter.Count(tools.GetRawText());
        }

        if (body.TryGetProperty("prompt", out var completionPrompt))
        {
            prompt += CountInput(completionPrompt, ref counter);
        }

        var isEmbedding = path.StartsWith("/v1/embeddings", StringComparison.OrdinalIgnoreCase);
        if (body.TryGetProperty("input", out var input))
        {
            prompt += CountInput(input, ref counter);
        }

        if (body.TryGetProperty("instructions", out var instructions) && instructions.ValueKind == JsonValueKind.String)
        {
            prompt += counter.Count(Text(instructions));
        }

        prompt += counter.Extrapolated;
        long cap = 0;
        var background = false;
        if (GeneratingPaths.CreatesResponse(path))
        {
            cap = ReadPositive(body, "max_output_tokens") ?? defaultCompletionTokens;
            background = body.TryGetProperty("background", out var runInBackground) && runInBackground.ValueKind == JsonValueKind.True;
        }
        else if (!isEmbedding && (body.TryGetProperty("messages", out _) || body.TryGetProperty("prompt", out _)))
        {
            var choices = Math.Clamp(Math.Max(ReadPositive(body, "n") ?? 1, ReadPositive(body, "best_of") ?? 1), 1, 128);
            var prompts = body.TryGetProperty("prompt", out var batch) ? CountPrompts(batch) : 1;
            cap = ReadPositive(body, "max_completion_tokens") ?? ReadPositive(body, "max_tokens") ?? defaultCompletionTokens;
            cap *= Math.Min(choices * prompts, MostCompletions);
        }

        return new InferenceRequest(model, stream, wantsUsage, prompt, cap, background);
    }

    // OpenAI's chat format costs about 3 tokens of framing per message and 3 to prime the reply.
    private static long CountMessages(JsonElement messages, ref PromptCounter tokens)
    {
        long count = 3;
        foreach (var message in messages.EnumerateArray())
        {
            count += 3;
            if (message.ValueKind != JsonValueKind.Object)
            {
                continue;
            }

            foreach (var property in message.EnumerateObject())
            {
                count += property.Name switch
                {
                    "content" => CountContent(property.Value, ref tokens),
                    "name" or "role" or "tool_call_id" when property.Value.ValueKind == JsonValueKind.String => tokens.Count(Text(property.Value)),
                    "tool_calls" or "function_call" => tokens.Count(property.Value.GetRawText()),
                    _ => 0,
                };
            }
        }

        return count;
    }

    private static long CountContent(JsonElement content, ref PromptCounter tokens)
    {
        switch (content.ValueKind)
        {
            case JsonValueKind.String:
                return tokens.Count(Text(content));
            case JsonValueKind.Array:
                long count = 0;
                foreach (var part in content.EnumerateArray())
                {
                    if (part.ValueKind == JsonValueKind.Object && part.TryGetProperty("text", out var text) && text.ValueKind == JsonValueKind.String)
                    {
                        count += tokens.Count(Text(text));
                    }
                    else if (part.ValueKind == JsonValueKind.Object)
                    {
                        // Images and audio: a fixed allowance, like OpenAI's low-detail image cost.
                        count += 85;
                    }
                }

                return count;
            default:
                return 0;
        }
    }

    /// <summary>
    /// A string, an array of strings, an array of token ids, or an array of such arrays; for the Responses API
    /// also an array of items (messages, function calls and their outputs).
    /// </summary>
    private static long CountInput(JsonElement input, ref PromptCounter tokens)
    {
        switch (input.ValueKind)
        {
            case JsonValueKind.String:
                return tokens.Count(Text(input));
            case JsonValueKind.Number:
                return 1;
            case JsonValueKind.Object:
                return CountItem(input, ref tokens);
            case JsonValueKind.Array:
                long count = 0;
                foreach (var item in input.EnumerateArray())
                {
                    count += CountInput(item, ref tokens);
                }

                return count;
            default:
                return 0;
        }
    }

    /// <summary>
    /// The prompts of a completions request: one for a string or a list of token ids, one per element for a
    /// list of strings or of token-id lists (a batch, each prompt completed on its own).
    /// </summary>
    private static long CountPrompts(JsonElement prompt) =>
        prompt.ValueKind == JsonValueKind.Array && prompt.GetArrayLength() > 0 && prompt[0].ValueKind != JsonValueKind.Number
            ? prompt.GetArrayLength()
            : 1;

    /// <summary>A Responses API input item, framed like a chat message.</summary>
    private static long CountItem(JsonElement item, ref PromptCounter tokens)
    {
        long count = 3;
        foreach (var property in item.EnumerateObject())
        {
            count += property.Name switch
            {
                "content" or "output" or "summary" => CountContent(property.Value, ref tokens),
                "role" or "name" or "arguments" when property.Value.ValueKind == JsonValueKind.String => tokens.Count(Text(property.Value)),
                _ => 0,
            };
        }

        return count;
    }

    /// <summary>
    /// A string's value. The parser checks what is inside strings only when they are read: invalid UTF-8 or an
    /// escaped lone surrogate (<c>"\udc00"</c>) then throws <see cref="InvalidOperationException"/>, which is the
    /// client's bad JSON, not the gateway's failure.
    /// </summary>
    private static string Text(JsonElement value)
    {
        try
        {
            return value.GetString()!;
        }
        catch (InvalidOperationException exception)
        {
            throw new JsonException("A string in the request body is not valid UTF-8 or UTF-16 text.", exception);
        }
    }

    /// <summary>
    /// A positive count, also written as a string (<c>"max_tokens": "4000"</c>): Python servers such as vLLM read it
    /// as the number, so the estimate must too.
    /// </summary>
    private static long? ReadPositive(JsonElement body, string name)
    {
        if (!body.TryGetProperty(name, out var value))
        {
            return null;
        }

        // An integer beyond long's range is still a count, and more than any plan allows.
        var read = value.ValueKind switch
        {
            JsonValueKind.Number => value.TryGetInt64(out var number) ? number : value.TryGetDouble(out var large) && large >= long.MaxValue ? long.MaxValue : null,
            JsonValueKind.String => decimal.TryParse(Text(value).Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var written)
                ? (long)Math.Min(written, long.MaxValue)
                : null,
            _ => (long?)null,
        };
        return read > 0 ? Math.Min(read.Value, Usage.MostTokens) : null;
    }
}
