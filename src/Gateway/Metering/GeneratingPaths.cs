namespace DosAi.Orleans.Gateway.Metering;

/// <summary>
/// Which requests generate what their response's <c>usage</c> reports. Reading a stored chat completion or
/// response (<c>GET /v1/chat/completions/{id}</c>, <c>GET /v1/responses/{id}</c>), changing or cancelling one
/// returns the usage of the request that created it again: charging that would charge the same tokens twice.
/// </summary>
public static class GeneratingPaths
{
    /// <summary>Creating a response, or compacting a conversation into one (<c>/v1/responses/compact</c>).</summary>
    public static bool CreatesResponse(string path)
    {
        var trimmed = path.AsSpan().TrimEnd('/');
        return trimmed.Equals("/v1/responses", StringComparison.OrdinalIgnoreCase)
            || trimmed.Equals("/v1/responses/compact", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>The requests the gateway estimates from their JSON body, which cannot be served without one.</summary>
    public static bool TakesJsonBody(string method, string path)
    {
        var trimmed = path.AsSpan().TrimEnd('/');
        return HttpMethods.IsPost(method)
            && (CreatesResponse(path)
                || trimmed.Equals("/v1/chat/completions", StringComparison.OrdinalIgnoreCase)
                || trimmed.Equals("/v1/completions", StringComparison.OrdinalIgnoreCase)
                || trimmed.Equals("/v1/embeddings", StringComparison.OrdinalIgnoreCase));
    }

    public static bool Generates(string method, string path) =>
        HttpMethods.IsPost(method)
        && (CreatesResponse(path) || (!IsStoredObject(path, "/v1/chat/completions/") && !IsStoredObject(path, "/v1/responses/")));

    private static bool IsStoredObject(string path, string collection) =>
        path.StartsWith(collection, StringComparison.OrdinalIgnoreCase) && path.Length > collection.Length;
}
