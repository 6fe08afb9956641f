using System.Buffers;
using System.Text.Json;
using DosAi.Orleans.Gateway.Metering;

namespace DosAi.Orleans.Gateway.Proxy;

/// <summary>Asks the upstream for the final usage chunk of a stream (<c>stream_options.include_usage</c>).</summary>
public static class StreamUsageOption
{
    public static bool Applies(PathString path) =>
        path.StartsWithSegments("/v1/chat/completions") || path.StartsWithSegments("/v1/completions");

    /// <summary>The body with <c>stream_options.include_usage</c> set and every other value as the client wrote it.</summary>
    public static byte[] Add(byte[] body)
    {
        using var document = JsonDocument.Parse(body);
        var output = new ArrayBufferWriter<byte>(body.Length + 48);
        using (var writer = new Utf8JsonWriter(output, RawJson.WriterOptions))
        {
            writer.WriteStartObject();
            var written = false;
            foreach (var property in document.RootElement.EnumerateObject())
            {
                if (property.NameEquals("stream_options") && property.Value.ValueKind == JsonValueKind.Object && !written)
                {
                    WriteOptions(writer, property.Value);
                    written = true;
                }
                else if (!property.NameEquals("stream_options"))
                {
                    RawJson.Copy(writer, property);
                }
            }

            if (!written)
            {
                WriteOptions(writer, default);
            }

            writer.WriteEndObject();
        }

        return output.WrittenSpan.ToArray();
    }

    private static void WriteOptions(Utf8JsonWriter writer, JsonElement options)
    {
        writer.WriteStartObject("stream_options");
        if (options.ValueKind == JsonValueKind.Object)
        {
            foreach (var option in options.EnumerateObject())
            {
                if (!option.NameEquals("include_usage"))
                {
                    RawJson.Copy(writer, option);
                }
            }
        }

        writer.WriteBoolean("include_usage", true);
        writer.WriteEndObject();
    }
}
