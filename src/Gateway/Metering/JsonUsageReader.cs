using System.Text.Json;

namespace DosAi.Orleans.Gateway.Metering;

/// <summary>
/// Reads the top-level <c>usage</c> of a JSON response body as its pieces pass, holding back only the bytes of a
/// token split between pieces: a body of any size is read (2,048 embeddings of 3,072 floats are over 100 MB
/// of JSON) without keeping it. The usage counts only once the root object has ended; what follows it is ignored.
/// </summary>
public sealed class JsonUsageReader
{
    /// <summary>The most bytes held back at once: a token (or the usage object) larger than this is not read.</summary>
    public const int MaxHeldBytes = 16 * 1024 * 1024;

    private byte[] held = [];
    private int heldLength;
    private JsonReaderState state;
    private Usage? usage;
    private bool rootEnded;
    private bool failed;

    /// <summary>The root object's usage once the root has ended; null before, or when the body is no JSON object.</summary>
    public Usage? Usage => rootEnded ? usage : null;

    /// <summary>The body held a token too large to read, so whatever usage it reported is unknown.</summary>
    public bool GaveUp { get; private set; }

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
                else if (reader.CurrentDepth == 1 && reader.TokenType == JsonTokenType.PropertyName && reader.ValueTextEquals("usage"u8)
                    && !TryReadUsage(ref reader, data))
                {
                    // Not all of the value is here yet: read it again from its name once the next piece is.
                    state = before;
                    return consumedBefore;
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
