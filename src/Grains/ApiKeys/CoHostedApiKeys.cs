using System.Collections.Concurrent;

namespace DosAi.Orleans.Grains.ApiKeys;

/// <summary>
/// The key grains active in this silo, by grain key. A co-hosted gateway admits and settles most requests
/// through them directly, saving two grain calls per request: their messages, scheduler turns and the
/// activation's per-call bookkeeping (the key grain guards what both paths touch with one lock). Keys on
/// other silos, and every client-mode gateway, are not here and are called as grains; Orleans' single
/// activation per key keeps one window either way.
/// </summary>
public sealed class CoHostedApiKeys
{
    private readonly ConcurrentDictionary<IdSpan, ICoHostedApiKey> active = new();

    public ICoHostedApiKey? Find(IdSpan grainKey) => active.TryGetValue(grainKey, out var key) ? key : null;

    internal void Add(IdSpan grainKey, ICoHostedApiKey key) => active[grainKey] = key;

    internal void Remove(IdSpan grainKey, ICoHostedApiKey key) => active.TryRemove(new KeyValuePair<IdSpan, ICoHostedApiKey>(grainKey, key));
}
