using System.Globalization;
using System.Text;
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

    // The top-level fields that estimate and meter a request.
    private static readonly string[] FieldsRead =
    [
        "model", "stream", "stream_options", "messages", "tools", "functions", "prompt", "input", "instructions",
        "max_output_tokens", "background", "n", "best_of", "max_completion_tokens", "max_tokens",
    ];

    /// <summary>Longer model names are refused: the name goes into every ledger row of the request's charge.</summary>
    public const int LongestModelName = 256;

    public long EstimatedTokens => PromptTokens + CompletionCap;

    /// <summary>
    /// Estimates prompt tokens over messages (string or content parts, names, tool calls), tools,
    /// completion prompts, embedding inputs and the Responses API's input items and instructions, and the
    /// completion cap (<c>max_completion_tokens</c> ?? <c>max_tokens</c> ?? the configured default, times the
    /// completions asked for: <c>n</c> or <c>best_of</c>, for each prompt of a batch of completion prompts; for the
    /// Responses API <c>max_output_tokens</c> ?? the default).
    /// Throws <see cref="JsonException"/> for a string that is not valid text (see <see cref="Text"/>), and
    /// <see cref="InvalidRequestException"/> for a body the upstream could read otherwise than the gateway: a flag that
    /// is not a boolean, or a field the gateway reads written in other letter case.
    /// </summary>
    public static InferenceRequest Inspect(JsonElement body, string path, TokenCounter tokens, int defaultCompletionTokens)
    {
        if (body.ValueKind != JsonValueKind.Object)
        {
            return Empty;
        }

        RefuseCaseVariants(body);
        var model = body.TryGetProperty("model", out var m) && m.ValueKind == JsonValueKind.String ? ModelName(m) : null;
        var stream = ReadFlag(body, "stream");
        var wantsUsage = stream && body.TryGetProperty("stream_options", out var options) && options.ValueKind == JsonValueKind.Object
            && ReadFlag(options, "include_usage");

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

        if (body.TryGetProperty("functions", out var functions) && functions.ValueKind == JsonValueKind.Array)
        {
            prompt += counter.Count(functions.GetRawText());
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
            background = ReadFlag(body, "background");
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
    /// The model name, shared (see <see cref="ModelNames"/>). One with control characters is refused: no model is named
    /// so, and a NUL cannot be stored in PostgreSQL text, where the name goes with the charge.
    /// </summary>
    private static string ModelName(JsonElement value)
    {
        var name = Text(value);
        if (name.Length > LongestModelName || name.AsSpan().IndexOfAnyInRange('\0', '\u001F') >= 0 || name.Contains('\u007F'))
        {
            throw new InvalidRequestException(
                $"The model name is not valid: it must be at most {LongestModelName} characters, without control characters.", "invalid_model");
        }

        return ModelNames.Shared.Share(name);
    }

    /// <summary>
    /// A positive count, also written as a string (<c>"max_tokens": "4000"</c>) or a real number (<c>1e5</c>,
    /// <c>4000.0</c>): Python servers such as vLLM read those as the number, so the estimate must too.
    /// </summary>
    private static long? ReadPositive(JsonElement body, string name)
    {
        if (!body.TryGetProperty(name, out var value))
        {
            return null;
        }

        var read = value.ValueKind switch
        {
            JsonValueKind.Number => value.TryGetInt64(out var number) ? number : value.TryGetDouble(out var real) ? WholeUp(real) : null,
            JsonValueKind.String => double.TryParse(Text(value).Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var written)
                ? WholeUp(written)
                : null,
            _ => (long?)null,
        };
        return read > 0 ? Math.Min(read.Value, Usage.MostTokens) : null;
    }

    // A count beyond long's range is still a count, and more than any plan allows; a fraction is read up.
    private static long? WholeUp(double value) =>
        double.IsNaN(value) ? null : value >= long.MaxValue ? long.MaxValue : (long)Math.Ceiling(value);

    /// <summary>
    /// A boolean; absent or <c>null</c> reads false. Anything else is refused, as OpenAI refuses it: Python servers
    /// read <c>1</c> or <c>"true"</c> as true, and a stream the gateway took for a single body would go unmetered.
    /// </summary>
    private static bool ReadFlag(JsonElement owner, string name)
    {
        if (!owner.TryGetProperty(name, out var value))
        {
            return false;
        }

        return value.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False or JsonValueKind.Null => false,
            _ => throw new InvalidRequestException(
                $"Invalid type for '{name}': expected a boolean, but got {Describe(value.ValueKind)} instead.", "invalid_type"),
        };
    }

    private static string Describe(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Number => "a number",
        JsonValueKind.String => "a string",
        JsonValueKind.Array => "an array",
        _ => "an object",
    };

    /// <summary>
    /// Go servers (Ollama) match field names ignoring letter case, so they would read <c>"Model"</c> or <c>"STREAM"</c>
    /// where the gateway reads nothing, or another <c>"model"</c> than the one it priced: such a field is refused.
    /// </summary>
    private static void RefuseCaseVariants(JsonElement body)
    {
        foreach (var property in body.EnumerateObject())
        {
            var name = property.Name;
            if (Ascii.IsValid(name) && !name.AsSpan().ContainsAnyInRange('A', 'Z'))
            {
                continue; // written as the gateway reads it, or no field of its own
            }

            foreach (var field in FieldsRead)
            {
                if (FoldsTo(name, field))
                {
                    throw new InvalidRequestException(
                        $"Unrecognized request argument supplied: {name}. Parameter names are lowercase: did you mean '{field}'?", "unknown_parameter");
                }
            }
        }
    }

    // Go's case folding also takes the Kelvin sign for 'k' and the long s for 's'.
    private static bool FoldsTo(string name, string field)
    {
        if (name.Length != field.Length)
        {
            return false;
        }

        for (var i = 0; i < name.Length; i++)
        {
            var folded = name[i] switch
            {
                '\u212A' => 'k',
                '\u017F' => 's',
                var other => char.ToLowerInvariant(other),
            };
            if (folded != field[i])
            {
                return false;
            }
        }

        return true;
    }
}
