using System.Buffers;
using System.Text;
using System.Text.Json;

namespace DosAi.Orleans.Gateway.Metering;

/// <summary>
/// Meters a server-sent event stream as it passes: bytes are held only until their event is complete
/// (so lines and UTF-8 characters split across reads are whole when parsed), then forwarded at once.
/// Finds the <c>usage</c> chunk (or the Responses API's final event), collects the text of the deltas for
/// counting when a stream ends without one, and drops the usage chunk the gateway asked for on the client's behalf.
/// </summary>
public sealed class SseEventMeter(bool forwardUsage)
{
    private readonly ArrayBufferWriter<byte> pending = new();
    private readonly StringBuilder completion = new();
    private int scanned;

    public Usage? ReportedUsage { get; private set; }

    /// <summary>
    /// The reported usage came in a chunk of its own (no choices), as a stream's final count does; usage on a content
    /// chunk may be a running count (vLLM's <c>continuous_usage_stats</c>) or a placeholder (Ollama sends zeros on
    /// every chunk until the last), so it is final only once the stream has ended.
    /// </summary>
    public bool UsageIsFinal { get; private set; }

    /// <summary>Text the upstream produced (content, reasoning, tool-call arguments, completions text).</summary>
    public string CompletionText => completion.ToString();

    public bool ProducedOutput => completion.Length > 0;

    /// <summary>Consumes upstream bytes; writes every complete event that should reach the client to <paramref name="output"/>.</summary>
    public void Append(ReadOnlySpan<byte> bytes, IBufferWriter<byte> output)
    {
        pending.Write(bytes);
        var buffer = pending.WrittenSpan;
        var start = 0;
        while (FindEventEnd(buffer, Math.Max(start, scanned)) is var end and > 0)
        {
            Inspect(buffer[start..end], output);
            start = end;
        }

        scanned = Math.Max(0, buffer.Length - 3);
        if (start > 0)
        {
            var rest = buffer[start..].ToArray();
            pending.ResetWrittenCount();
            pending.Write(rest);
            scanned = Math.Max(0, rest.Length - 3);
        }
    }

    /// <summary>The stream ended: an unterminated last event is inspected and forwarded as it is.</summary>
    public void Complete(IBufferWriter<byte> output)
    {
        if (pending.WrittenCount > 0)
        {
            Inspect(pending.WrittenSpan, output);
            pending.ResetWrittenCount();
        }
    }

    /// <summary>Index just after the blank line that ends the first event at or after <paramref name="from"/>; 0 if none.</summary>
    private static int FindEventEnd(ReadOnlySpan<byte> buffer, int from)
    {
        for (var i = from; i < buffer.Length - 1; i++)
        {
            if (buffer[i] != (byte)'\n')
            {
                continue;
            }

            if (buffer[i + 1] == (byte)'\n')
            {
                return i + 2;
            }

            if (buffer[i + 1] == (byte)'\r' && i + 2 < buffer.Length && buffer[i + 2] == (byte)'\n')
            {
                return i + 3;
            }
        }

        return 0;
    }

    private void Inspect(ReadOnlySpan<byte> sseEvent, IBufferWriter<byte> output)
    {
        var data = DataOf(sseEvent);
        if (data.IsEmpty || data[0] != (byte)'{')
        {
            output.Write(sseEvent);
            return;
        }

        try
        {
            var reader = new Utf8JsonReader(data);
            using var document = JsonDocument.ParseValue(ref reader);
            var root = document.RootElement;
            CollectText(root);
            if (UsageOf(root) is not { } usage)
            {
                output.Write(sseEvent);
                return;
            }

            ReportedUsage = usage;
            var withChoices = root.TryGetProperty("choices", out var choices) && choices.ValueKind == JsonValueKind.Array && choices.GetArrayLength() > 0;
            UsageIsFinal = !withChoices;
            if (forwardUsage)
            {
                output.Write(sseEvent);
            }
            else if (withChoices)
            {
                // Usage piggybacked on a content chunk: keep the content, hide the usage.
                output.Write("data: "u8);
                using (var writer = new Utf8JsonWriter(output, RawJson.WriterOptions))
                {
                    writer.WriteStartObject();
                    foreach (var property in root.EnumerateObject())
                    {
                        if (!property.NameEquals("usage"))
                        {
                            RawJson.Copy(writer, property);
                        }
                    }

                    writer.WriteEndObject();
                }

                output.Write("\n\n"u8);
            }
        }
        catch (Exception exception) when (exception is JsonException or InvalidOperationException)
        {
            // Not ours to judge: a malformed event (or one with text that is not valid UTF-8) passes through unmetered.
            output.Write(sseEvent);
        }
    }

    /// <summary>The payload of the event's <c>data:</c> line (single-line data, as OpenAI-compatible servers send).</summary>
    private static ReadOnlySpan<byte> DataOf(ReadOnlySpan<byte> sseEvent)
    {
        while (!sseEvent.IsEmpty)
        {
            var end = sseEvent.IndexOf((byte)'\n');
            var line = (end < 0 ? sseEvent : sseEvent[..end]).TrimEnd((byte)'\r');
            sseEvent = end < 0 ? [] : sseEvent[(end + 1)..];
            if (line.StartsWith("data:"u8))
            {
                return line["data:".Length..].TrimStart((byte)' ');
            }
        }

        return [];
    }

    /// <summary>
    /// A chunk's own <c>usage</c>, or that of the response a Responses API event carries
    /// (<c>response.completed</c>, <c>response.incomplete</c>, <c>response.failed</c>).
    /// </summary>
    private static Usage? UsageOf(JsonElement chunk)
    {
        if (chunk.TryGetProperty("usage", out var usage))
        {
            return Usage.From(usage);
        }

        return chunk.TryGetProperty("response", out var response) && response.ValueKind == JsonValueKind.Object
            && response.TryGetProperty("usage", out usage) ? Usage.From(usage) : null;
    }

    private void CollectText(JsonElement chunk)
    {
        if (chunk.TryGetProperty("type", out var type) && IsTextDelta(type))
        {
            Append(chunk, "delta");
            return;
        }

        if (!chunk.TryGetProperty("choices", out var choices) || choices.ValueKind != JsonValueKind.Array)
        {
            return;
        }

        foreach (var choice in choices.EnumerateArray())
        {
            if (choice.ValueKind != JsonValueKind.Object)
            {
                continue;
            }

            Append(choice, "text");
            if (choice.TryGetProperty("delta", out var delta) && delta.ValueKind == JsonValueKind.Object)
            {
                Append(delta, "content");
                Append(delta, "reasoning_content");
                Append(delta, "reasoning"); // vLLM's newer name for reasoning_content, and Ollama's
                Append(delta, "refusal");
                AppendFunction(delta, "function_call"); // the legacy functions API
                if (delta.TryGetProperty("tool_calls", out var calls) && calls.ValueKind == JsonValueKind.Array)
                {
                    foreach (var call in calls.EnumerateArray())
                    {
                        if (call.ValueKind == JsonValueKind.Object)
                        {
                            AppendFunction(call, "function");
                        }
                    }
                }
            }
        }
    }

    /// <summary>
    /// A Responses API event whose <c>delta</c> is produced text: output text, reasoning, refusals, tool-call
    /// arguments and code, and whatever new kinds come, all <c>response.….delta</c>; audio deltas are base64, not text.
    /// </summary>
    private static bool IsTextDelta(JsonElement type)
    {
        if (type.ValueKind != JsonValueKind.String)
        {
            return false;
        }

        var name = type.GetString()!;
        return name.StartsWith("response.", StringComparison.Ordinal) && name.EndsWith(".delta", StringComparison.Ordinal)
            && name != "response.audio.delta";
    }

    private void AppendFunction(JsonElement owner, string property)
    {
        if (owner.TryGetProperty(property, out var function) && function.ValueKind == JsonValueKind.Object)
        {
            Append(function, "name");
            Append(function, "arguments");
        }
    }

    private void Append(JsonElement owner, string property)
    {
        if (owner.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String)
        {
            completion.Append(value.GetString());
        }
    }
}
