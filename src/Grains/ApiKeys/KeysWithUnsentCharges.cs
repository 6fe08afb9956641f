using System.Collections.Concurrent;
using DosAi.Orleans.Grains.Interfaces.ApiKeys;
using Microsoft.Extensions.Logging;

namespace DosAi.Orleans.Grains.ApiKeys;

/// <summary>
/// The keys of this silo that hold charges not yet sent to their accounts. When the silo stops, they
/// are told to send them before any grain deactivates: during deactivation an account may already be
/// gone when its key's last charges arrive. From then on keys send every charge at once, and no longer
/// give their credit leases back (the stopping silo's accounts go with them).
/// </summary>
public sealed class KeysWithUnsentCharges(ILogger<KeysWithUnsentCharges> logger) : ILifecycleParticipant<ISiloLifecycle>
{
    private readonly ConcurrentDictionary<GrainId, IApiKeyGrain> keys = new();

    public bool SiloStopping { get; private set; }

    public void Add(GrainId id, IApiKeyGrain key) => keys[id] = key;

    public void Remove(GrainId id) => keys.TryRemove(id, out _);

    // Active stops before BecomeActive, where the silo deactivates every grain.
    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(KeysWithUnsentCharges), ServiceLifecycleStage.Active, _ => Task.CompletedTask, SendAll);

    private async Task SendAll(CancellationToken cancellationToken)
    {
        SiloStopping = true;
        var holding = keys.Values.ToList();
        try
        {
            await Task.WhenAll(holding.Select(key => key.SendCharges())).WaitAsync(cancellationToken);
        }
        catch (Exception exception)
        {
            logger.LogError(exception, "Not every one of {Keys} keys sent its charges before the silo stopped; the rest send on deactivation", holding.Count);
        }
    }
}
