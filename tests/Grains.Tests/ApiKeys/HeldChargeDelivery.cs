using DosAi.Orleans.Grains.Interfaces.Accounts;

namespace DosAi.Orleans.Grains.Tests.ApiKeys;

/// <summary>
/// Holds the charges sent to one account at its door (its <see cref="IAccountGrain.SettleCharges"/> calls wait)
/// until released: charges on their way, as when the account's silo is slow to answer.
/// </summary>
public sealed class HeldChargeDelivery : IIncomingGrainCallFilter
{
    // Silos are created by the TestCluster from a type, so what is held is static.
    private static (GrainId Account, TaskCompletionSource Release)? held;

    public static IDisposable Hold(IAccountGrain account)
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        held = (account.GetGrainId(), release);
        return new Releaser(release);
    }

    public async Task Invoke(IIncomingGrainCallContext context)
    {
        if (held is { } hold && context.TargetId == hold.Account && context.InterfaceMethod?.Name == nameof(IAccountGrain.SettleCharges))
        {
            await hold.Release.Task;
        }

        await context.Invoke();
    }

    private sealed class Releaser(TaskCompletionSource release) : IDisposable
    {
        public void Dispose()
        {
            held = null;
            release.TrySetResult();
        }
    }
}
