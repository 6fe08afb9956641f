using System.Buffers;
using System.Text;
using System.Text.Json;

namespace DosAi.Orleans.Gateway.Metering;

/// <summary>
/// Reads the top-level <c>usage</c> of a JSON response body as its pieces pass, holding back only the bytes of a
/// token split between pieces: a body of any size is read (2,048 embeddings of 3,072 floats are over 100 MB
/// of JSON) without keeping it. The usage counts only once the root object has ended; what follows it is ignored.
/// The text a completion or response produced (under its top-level <c>choices</c> or <c>output</c>) is kept too,
/// to count when the body reports no usage, in a pooled buffer given back on dispose.
/// </summary>
public sealed class JsonUsageReader : IDisposable
{
    /// <summary>The most bytes held back at once: a token (or the usage object) larger than this is not read.</summary>
    public const int MaxHeldBytes = 16 * 1024 * 1024;

    private byte[] held = [];
    private int heldLength;
    private JsonReaderState state;
    private Usage? usage;
    private bool rootEnded;
    private bool failed;
    private byte[]? generated;
    private int generatedLength;
    private bool inGeneration;
    private bool sawGeneration;
    private bool textFollows;

    /// <summary>The root object's usage once the root has ended; null before, or when the body is no JSON object.</summary>
    public Usage? Usage => rootEnded ? usage : null;

    /// <summary>The body held a token too large to read, so whatever usage it reported is unknown.</summary>
    public bool GaveUp { get; private set; }

    /// <summary>The whole body was a completion or response: a JSON object with <c>choices</c> or <c>output</c> at its top.</summary>
    public bool IsGeneration => rootEnded && sawGeneration;

    /// <summary>More than <see cref="MaxHeldBytes"/> of produced text: too much to keep for counting.</summary>
    public bool TextOverflowed { get; private set; }

    /// <summary>
    /// Text the completion or response produced: message content, reasoning, refusals, completions text, tool-call
    /// names, arguments and code, as a stream's deltas carry them.
    /// </summary>
    public string GeneratedText => generated is null ? "" : Encoding.UTF8.GetString(generated, 0, generatedLength);

    public void Append(ReadOnlySpan<byte> bytes)
    {
        if (rootEnded || failed || GaveUp || bytes.IsEmpty)
        {
            return;
        }

        if (heldLength == 0)
        {
            Hold(bytes[Read(bytes)..]);
            return;
        }

        if (Hold(bytes))
        {
            var consumed = Read(held.AsSpan(0, heldLength));
            held.AsSpan(consumed, heldLength - consumed).CopyTo(held);
            heldLength -= consumed;
        }
    }

    /// <summary>Keeps bytes not read yet for the next piece; false when that would be too many.</summary>
    private bool Hold(ReadOnlySpan<byte> bytes)
    {
        if (bytes.IsEmpty)
        {
            return true;
        }

        if (heldLength + bytes.Length > MaxHeldBytes)
        {
            GaveUp = true;
            held = [];
            heldLength = 0;
            return false;
        }

        if (heldLength + bytes.Length > held.Length)
        {
            Array.Resize(ref held, Math.Min(MaxHeldBytes, Math.Max(heldLength + bytes.Length, 2 * held.Length)));
        }

        bytes.CopyTo(held.AsSpan(heldLength));
        heldLength += bytes.Length;
        return true;
    }

    /// <summary>Reads every whole token of <paramref name="data"/>; returns how many bytes it consumed.</summary>
    private int Read(ReadOnlySpan<byte> data)
    {
        var reader = new Utf8JsonReader(data, isFinalBlock: false, state);
        try
        {
            while (true)
            {
                var before = reader.CurrentState;
                var consumedBefore = (int)reader.BytesConsumed;
                if (!reader.Read())
                {
                    break;
                }

                if (reader.CurrentDepth == 0)
                {
                    if (reader.TokenType != JsonTokenType.StartObject)
                    {
                        rootEnded = reader.TokenType == JsonTokenType.EndObject;
                        failed = !rootEnded;
                        return data.Length;
                    }
                }
                else if (reader.CurrentDepth == 1 && reader.TokenType == JsonTokenType.PropertyName)
                {
                    inGeneration = reader.ValueTextEquals("choices"u8) || reader.ValueTextEquals("output"u8);
                    sawGeneration |= inGeneration;
                    if (reader.ValueTextEquals("usage"u8) && !TryReadUsage(ref reader, data))
                    {
                        // Not all of the value is here yet: read it again from its name once the next piece is.
                        state = before;
                        return consumedBefore;
                    }
                }
                else if (inGeneration && usage is null)
                {
                    CollectText(ref reader);
                }
            }
        }
        catch (JsonException)
        {
            failed = true;
            return data.Length;
        }

        state = reader.CurrentState;
        return (int)reader.BytesConsumed;
    }

    /// <summary>Keeps a string whose property names produced text; called for every token under <c>choices</c> or <c>output</c>.</summary>
    private void CollectText(ref Utf8JsonReader reader)
    {
        if (reader.TokenType == JsonTokenType.PropertyName)
        {
            textFollows = reader.ValueTextEquals("content"u8) || reader.ValueTextEquals("text"u8) || reader.ValueTextEquals("reasoning_content"u8)
                || reader.ValueTextEquals("reasoning"u8)
                || reader.ValueTextEquals("refusal"u8) || reader.ValueTextEquals("name"u8) || reader.ValueTextEquals("arguments"u8)
                || reader.ValueTextEquals("code"u8);
            return;
        }

        var isText = textFollows && reader.TokenType == JsonTokenType.String;
        textFollows = false;
        if (!isText || TextOverflowed)
        {
            return;
        }

        // Unescaped text is never longer than its escaped form.
        var length = reader.ValueSpan.Length;
        if (generatedLength + length > MaxHeldBytes)
        {
            TextOverflowed = true;
            Dispose();
            return;
        }

        if (generated is null || generated.Length < generatedLength + length)
        {
            var larger = ArrayPool<byte>.Shared.Rent(Math.Max(256, Math.Max(generatedLength + length, 2 * (generated?.Length ?? 0))));
            generated?.AsSpan(0, generatedLength).CopyTo(larger);
            ReturnGenerated();
            generated = larger;
        }

        generatedLength += reader.CopyString(generated.AsSpan(generatedLength, length));
    }

    /// <summary>Gives the kept text's buffer back to the pool; the text reads empty after.</summary>
    public void Dispose()
    {
        ReturnGenerated();
        generatedLength = 0;
    }

    private void ReturnGenerated()
    {
        if (generated is not null)
        {
            ArrayPool<byte>.Shared.Return(generated);
            generated = null;
        }
    }

    private bool TryReadUsage(ref Utf8JsonReader reader, ReadOnlySpan<byte> data)
    {
        if (!reader.Read())
        {
            return false;
        }

        var start = (int)reader.TokenStartIndex;
        if (!reader.TrySkip())
        {
            return false;
        }

        var value = new Utf8JsonReader(data[start..(int)reader.BytesConsumed]);
        using var document = JsonDocument.ParseValue(ref value);
        usage = Metering.Usage.From(document.RootElement);
        return true;
    }
}
