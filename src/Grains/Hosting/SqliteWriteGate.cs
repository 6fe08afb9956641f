namespace DosAi.Orleans.Grains.Hosting;

/// <summary>
/// Lets one SQLite write run at a time in this process. SQLite has a single writer anyway; a writer that
/// finds the lock taken is retried by Microsoft.Data.Sqlite with 150 ms sleeps on the calling thread, so
/// contending writers stalled Orleans' scheduler threads for whole seconds (seen while creating keys 64
/// accounts at a time). Queueing in front of the lock instead costs nothing but the wait.
/// </summary>
public sealed class SqliteWriteGate
{
    private readonly SemaphoreSlim gate = new(1, 1);

    /// <summary>Runs <paramref name="write"/> on the thread pool, never on the caller's (grain) thread, once no other write runs.</summary>
    public async Task<T> RunAsync<T>(Func<Task<T>> write, CancellationToken cancellationToken = default)
    {
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await Task.Run(write, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            gate.Release();
        }
    }

    public Task RunAsync(Func<Task> write, CancellationToken cancellationToken = default) =>
        RunAsync(async () =>
        {
            await write().ConfigureAwait(false);
            return true;
        }, cancellationToken);
}
