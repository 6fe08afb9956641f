using System.Text.Json;

namespace DosAi.Orleans.Gateway.Metering;

/// <summary>Finds the last <c>usage</c> object among the <c>data:</c> events of a server-sent event stream.</summary>
public static class SseUsage
{
    public static Usage? Find(ReadOnlySpan<byte> stream)
    {
        Usage? found = null;
        while (!stream.IsEmpty)
        {
            var end = stream.IndexOf((byte)'\n');
            var line = end < 0 ? stream : stream[..end];
            stream = end < 0 ? [] : stream[(end + 1)..];
            line = line.TrimEnd((byte)'\r');
            if (!line.StartsWith("data:"u8))
            {
                continue;
            }

            var data = line["data:".Length..].TrimStart((byte)' ');
            if (data.IsEmpty || data[0] != (byte)'{' || data.IndexOf("\"usage\""u8) < 0)
            {
                continue;
            }

            try
            {
                var reader = new Utf8JsonReader(data);
                using var document = JsonDocument.ParseValue(ref reader);
                if (document.RootElement.TryGetProperty("usage", out var usage) && Usage.From(usage) is { } parsed)
                {
                    found = parsed;
                }
            }
            catch (JsonException)
            {
                // A malformed event is the upstream's problem; it is passed through and not metered.
            }
        }

        return found;
    }
}
