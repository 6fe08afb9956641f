namespace DosAi.Orleans.Grains.Hosting;

/// <summary>
/// Lets one writer at a time into the embedded SQLite file. SQLite admits one writing transaction per
/// file, and Microsoft.Data.Sqlite waits out a busy lock in 150 ms sleeps on the calling thread: when an
/// account's state write met a ledger commit, the account (and every key waiting to renew its lease
/// there) stalled 150–900 ms. Waiting here is asynchronous and ends the moment the other write does.
/// </summary>
public sealed class SqliteWriteGate
{
    private readonly SemaphoreSlim turn = new(1, 1);

    public async Task RunAsync(Func<Task> write, CancellationToken cancellationToken = default)
    {
        // Not ConfigureAwait(false): a grain's write resumes as one of the grain's own turns, so the state
        // it serializes cannot change under it while another turn of the grain runs.
        await turn.WaitAsync(cancellationToken);
        try
        {
            await write();
        }
        finally
        {
            turn.Release();
        }
    }
}
