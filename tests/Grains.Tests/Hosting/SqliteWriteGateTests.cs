using DosAi.Orleans.Grains.Hosting;

namespace DosAi.Orleans.Grains.Tests.Hosting;

public sealed class SqliteWriteGateTests
{
    [Fact]
    public async Task Writes_run_one_at_a_time_and_all_complete()
    {
        var gate = new SqliteWriteGate();
        var running = 0;
        var mostAtOnce = 0;
        var completed = 0;

        await Task.WhenAll(Enumerable.Range(0, 200).Select(_ => gate.RunAsync(async () =>
        {
            var now = Interlocked.Increment(ref running);
            InterlockedMax(ref mostAtOnce, now);
            await Task.Yield();
            Thread.SpinWait(1000);
            Interlocked.Decrement(ref running);
            Interlocked.Increment(ref completed);
        })));

        Assert.Equal(1, mostAtOnce);
        Assert.Equal(200, completed);
    }

    [Fact]
    public async Task A_failed_write_reports_its_error_and_lets_the_next_one_run()
    {
        var gate = new SqliteWriteGate();

        await Assert.ThrowsAsync<InvalidOperationException>(() => gate.RunAsync(() => throw new InvalidOperationException("disk full")));
        var next = await gate.RunAsync(() => Task.FromResult(42)).WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(42, next);
    }

    [Fact]
    public async Task A_write_never_runs_on_the_callers_thread()
    {
        var gate = new SqliteWriteGate();
        using var context = new SingleThreadContext();

        var ran = await context.Run(() => gate.RunAsync(() => Task.FromResult(Environment.CurrentManagedThreadId)));

        Assert.NotEqual(context.ThreadId, ran);
    }

    private static void InterlockedMax(ref int target, int value)
    {
        var seen = Volatile.Read(ref target);
        while (value > seen && Interlocked.CompareExchange(ref target, value, seen) is var actual && actual != seen)
        {
            seen = actual;
        }
    }

    /// <summary>A dedicated thread standing in for an Orleans scheduler thread.</summary>
    private sealed class SingleThreadContext : IDisposable
    {
        private readonly System.Collections.Concurrent.BlockingCollection<Action> work = [];
        private readonly Thread thread;

        public SingleThreadContext()
        {
            thread = new Thread(() =>
            {
                foreach (var item in work.GetConsumingEnumerable())
                {
                    item();
                }
            }) { IsBackground = true };
            thread.Start();
        }

        public int ThreadId => thread.ManagedThreadId;

        public Task<T> Run<T>(Func<Task<T>> start)
        {
            var result = new TaskCompletionSource<Task<T>>();
            work.Add(() => result.SetResult(start()));
            return result.Task.Unwrap();
        }

        public void Dispose() => work.CompleteAdding();
    }
}
