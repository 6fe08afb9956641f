using DosAi.Orleans.Grains.Hosting;

namespace DosAi.Orleans.Grains.Tests.Hosting;

/// <summary>Checks that a write to the embedded SQLite file waits while another write has the turn.</summary>
internal static class WriteTurns
{
    // Long enough for an unguarded write to SQLite to have finished many times over.
    private static readonly TimeSpan Meanwhile = TimeSpan.FromMilliseconds(200);

    /// <summary>Starts <paramref name="write"/> while another write has the turn: nothing of it may land until that one ends.</summary>
    public static async Task AssertWaitsForTheTurn(SqliteWriteGate gate, Func<Task> write, Func<Task<bool>> landed)
    {
        var otherWriteDone = new TaskCompletionSource();
        var otherWrite = gate.RunAsync(() => otherWriteDone.Task);

        var writing = write();
        await Task.Delay(Meanwhile);

        Assert.False(writing.IsCompleted);
        Assert.False(await landed());
        otherWriteDone.SetResult();
        await Task.WhenAll(otherWrite, writing);
        Assert.True(await landed());
    }
}
