namespace DosAi.Orleans.Gateway.Hosting;

/// <summary>
/// A client gateway may start before any silo (a whole cluster starting at once): keep trying to
/// connect, once a second, instead of failing start-up.
/// </summary>
public sealed class ClusterConnectionRetry(ILogger<ClusterConnectionRetry> logger) : IClientConnectionRetryFilter
{
    private int attempts;

    public async Task<bool> ShouldRetryConnectionAttempt(Exception exception, CancellationToken cancellationToken)
    {
        if (++attempts % 10 == 1)
        {
            logger.LogWarning("No silo reachable yet (attempt {Attempt}): {Reason}; retrying", attempts, exception.Message);
        }

        await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
        return true;
    }
}
