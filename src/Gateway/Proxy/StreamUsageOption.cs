using System.Text.Json;
using System.Text.Json.Nodes;

namespace DosAi.Orleans.Gateway.Proxy;

/// <summary>Asks the upstream for the final usage chunk of a stream (<c>stream_options.include_usage</c>).</summary>
public static class StreamUsageOption
{
    public static bool Applies(PathString path) =>
        path.StartsWithSegments("/v1/chat/completions") || path.StartsWithSegments("/v1/completions");

    public static byte[] Add(byte[] body)
    {
        var root = JsonNode.Parse(body)!.AsObject();
        if (root["stream_options"] is not JsonObject options)
        {
            options = [];
            root["stream_options"] = options;
        }

        options["include_usage"] = true;
        return JsonSerializer.SerializeToUtf8Bytes(root);
    }
}
