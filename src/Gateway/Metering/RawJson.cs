using System.Runtime.InteropServices;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace DosAi.Orleans.Gateway.Metering;

/// <summary>
/// Rewrites JSON objects property by property, each value byte for byte as its sender wrote it. A mutable DOM
/// (<c>JsonNode</c>) would refuse what JSON allows (a repeated property) and re-escape every non-ASCII character.
/// </summary>
public static class RawJson
{
    public static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static void Copy(Utf8JsonWriter writer, JsonProperty property)
    {
        writer.WritePropertyName(property.Name);
        writer.WriteRawValue(JsonMarshal.GetRawUtf8Value(property.Value), skipInputValidation: true);
    }
}
