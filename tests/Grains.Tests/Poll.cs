namespace DosAi.Orleans.Grains.Tests;

/// <summary>
/// Waits for something the silo does in the background (a deactivation, a ticker visit). The deadline is generous:
/// on a loaded two-core machine a background step can take seconds, and a test waits only as long as it must.
/// </summary>
public static class Poll
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    /// <summary>Polls until <paramref name="done"/> holds or the deadline passes; the caller asserts the outcome.</summary>
    public static async Task Until(Func<bool> done) => await Until(() => Task.FromResult(done()));

    public static async Task Until(Func<Task<bool>> done)
    {
        var deadline = DateTime.UtcNow + Deadline;
        while (!await done() && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
        }
    }
}
