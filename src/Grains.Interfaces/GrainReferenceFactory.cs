namespace DosAi.Orleans.Grains.Interfaces;

/// <summary>
/// References to one grain interface by string key, with the grain and interface types resolved once:
/// <c>GetGrain&lt;T&gt;(string)</c> resolves them by reflection on every call (about 4% of the gateway's CPU
/// per request when it was on the hot path). Resolved on first use, since a cluster client learns the
/// grain types only once it has connected.
/// </summary>
public sealed class GrainReferenceFactory<TGrainInterface>(IGrainFactory grains) where TGrainInterface : IGrainWithStringKey
{
    private GrainTypes? types;

    public TGrainInterface Get(string key) => Get(IdSpan.Create(key));

    public TGrainInterface Get(IdSpan key)
    {
        var resolved = types ??= Resolve();
        return (TGrainInterface)grains.GetGrain(GrainId.Create(resolved.Grain, key), resolved.Interface);
    }

    private GrainTypes Resolve()
    {
        // Any key will do: only the types of this reference are kept.
        var prototype = (GrainReference)(object)grains.GetGrain<TGrainInterface>("prototype");
        return new GrainTypes(prototype.GrainId.Type, prototype.InterfaceType);
    }

    private sealed record GrainTypes(GrainType Grain, GrainInterfaceType Interface);
}
