namespace DosAi.Orleans.Gateway.Metering;

/// <summary>
/// Which requests generate what their response's <c>usage</c> reports. Reading a stored chat completion or
/// response (<c>GET /v1/chat/completions/{id}</c>, <c>GET /v1/responses/{id}</c>), changing or cancelling one
/// returns the usage of the request that created it again: charging that would charge the same tokens twice.
/// </summary>
public static class GeneratingPaths
{
    public static bool IsResponses(string path) =>
        path.Equals("/v1/responses", StringComparison.OrdinalIgnoreCase) || path.Equals("/v1/responses/", StringComparison.OrdinalIgnoreCase);

    public static bool Generates(string method, string path) =>
        HttpMethods.IsPost(method) && !IsStoredObject(path, "/v1/chat/completions/") && !IsStoredObject(path, "/v1/responses/");

    private static bool IsStoredObject(string path, string collection) =>
        path.StartsWith(collection, StringComparison.OrdinalIgnoreCase) && path.Length > collection.Length;
}
