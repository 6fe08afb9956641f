namespace DosAi.Orleans.Bench.Runner;

/// <summary>
/// One target of the benches: where its OpenAI-compatible <c>/v1</c> lives, the headers it needs besides
/// <c>Authorization</c>, and the processes that serve it (stopped on the first dispose).
/// </summary>
public sealed class RunningPeer(string name, string baseUrl, IReadOnlyDictionary<string, string> headers, params ChildProcess[] processes)
    : IAsyncDisposable
{
    private bool disposed;

    public string Name => name;

    public string BaseUrl => baseUrl;

    public string CompletionsUrl => baseUrl + "/v1/chat/completions";

    public IReadOnlyDictionary<string, string> Headers => headers;

    /// <summary>The process whose memory is the peer's (null for the upstream seen directly).</summary>
    public ChildProcess? Main => processes.Length > 0 ? processes[0] : null;

    public async ValueTask DisposeAsync()
    {
        if (disposed)
        {
            return;
        }

        disposed = true;
        foreach (var process in processes)
        {
            await process.DisposeAsync();
        }
    }
}
