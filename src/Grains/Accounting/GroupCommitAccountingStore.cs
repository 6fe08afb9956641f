using System.Threading.Channels;

namespace DosAi.Orleans.Grains.Accounting;

/// <summary>
/// Group commit: batches recorded by many accounts at about the same time go to the store together, in
/// one transaction on one background loop, so the store sees one write per moment instead of one per
/// account, and blocking database drivers (SQLite) never run on Orleans' scheduler threads. Each caller
/// still learns whether its own batch was stored.
/// </summary>
public sealed class GroupCommitAccountingStore : IAccountingStore, IAsyncDisposable
{
    private const int MostBatchesPerCommit = 2_000;

    private readonly IAccountingStore store;
    private readonly Channel<Pending> queue = Channel.CreateUnbounded<Pending>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Task loop;

    public GroupCommitAccountingStore(IAccountingStore store)
    {
        this.store = store;
        loop = Task.Run(CommitLoop);
    }

    /// <summary>Completes when the batches are stored; nothing is scheduled on completion unless the caller awaits.</summary>
    public Task RecordAsync(IReadOnlyList<AccountingBatch> batches, CancellationToken cancellationToken = default)
    {
        var pending = new Pending(batches, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        if (!queue.Writer.TryWrite(pending))
        {
            throw new ObjectDisposedException(nameof(GroupCommitAccountingStore));
        }

        return cancellationToken.CanBeCanceled ? pending.Stored.Task.WaitAsync(cancellationToken) : pending.Stored.Task;
    }

    public Task<AccountTail> ReadTailAsync(string accountId, long afterLedgerSequence, CancellationToken cancellationToken = default) =>
        Task.Run(() => store.ReadTailAsync(accountId, afterLedgerSequence, cancellationToken), cancellationToken);

    public Task<Interfaces.Accounts.LedgerPage> ReadLedgerAsync(string accountId, long afterSequence, int limit, CancellationToken cancellationToken = default) =>
        Task.Run(() => store.ReadLedgerAsync(accountId, afterSequence, limit, cancellationToken), cancellationToken);

    public Task<IReadOnlyList<Interfaces.Accounts.UsageBucket>> ReadUsageAsync(string accountId, Interfaces.Accounts.UsageQuery query, CancellationToken cancellationToken = default) =>
        Task.Run(() => store.ReadUsageAsync(accountId, query, cancellationToken), cancellationToken);

    public Task<Dictionary<string, string>> ReadKeysAsync(string accountId, CancellationToken cancellationToken = default) =>
        Task.Run(() => store.ReadKeysAsync(accountId, cancellationToken), cancellationToken);

    public Task AddKeysAsync(string accountId, IReadOnlyCollection<KeyValuePair<string, string>> keys, CancellationToken cancellationToken = default) =>
        Task.Run(() => store.AddKeysAsync(accountId, keys, cancellationToken), cancellationToken);

    public Task<long?> ReadCreditReferenceAsync(string accountId, string reference, CancellationToken cancellationToken = default) =>
        Task.Run(() => store.ReadCreditReferenceAsync(accountId, reference, cancellationToken), cancellationToken);

    public Task RemoveKeyAsync(string accountId, string keyId, CancellationToken cancellationToken = default) =>
        Task.Run(() => store.RemoveKeyAsync(accountId, keyId, cancellationToken), cancellationToken);

    private async Task CommitLoop()
    {
        var group = new List<Pending>();
        while (await queue.Reader.WaitToReadAsync())
        {
            var count = 0;
            while (count < MostBatchesPerCommit && queue.Reader.TryRead(out var pending))
            {
                group.Add(pending);
                count += pending.Batches.Count;
            }

            try
            {
                await store.RecordAsync(group.SelectMany(pending => pending.Batches).ToList());
                group.ForEach(pending => pending.Stored.TrySetResult());
            }
            catch (Exception exception) when (group.Count == 1)
            {
                // The caller keeps its batches and retries; batches are idempotent.
                group[0].Stored.TrySetException(exception);
            }
            catch (Exception)
            {
                // One caller's batch the store refuses must not fail every account committed with it.
                foreach (var pending in group)
                {
                    await CommitAlone(pending);
                }
            }

            group.Clear();
        }
    }

    private async Task CommitAlone(Pending pending)
    {
        try
        {
            await store.RecordAsync(pending.Batches);
            pending.Stored.TrySetResult();
        }
        catch (Exception exception)
        {
            pending.Stored.TrySetException(exception);
        }
    }

    public async ValueTask DisposeAsync()
    {
        queue.Writer.TryComplete();
        await loop;
    }

    private sealed record Pending(IReadOnlyList<AccountingBatch> Batches, TaskCompletionSource Stored);
}
