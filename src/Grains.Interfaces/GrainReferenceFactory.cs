namespace DosAi.Orleans.Grains.Interfaces;

/// <summary>
/// References to one grain interface by string key, with the grain and interface types resolved once:
/// <c>GetGrain&lt;T&gt;(string)</c> resolves them by reflection on every call (about 4% of the gateway's CPU
/// per request when it was on the hot path).
/// </summary>
public sealed class GrainReferenceFactory<TGrainInterface> where TGrainInterface : IGrainWithStringKey
{
    private readonly IGrainFactory grains;
    private readonly GrainType grainType;
    private readonly GrainInterfaceType interfaceType;

    public GrainReferenceFactory(IGrainFactory grains)
    {
        this.grains = grains;
        // Any key will do: only the types of this reference are kept.
        var prototype = (GrainReference)(object)grains.GetGrain<TGrainInterface>("prototype");
        grainType = prototype.GrainId.Type;
        interfaceType = prototype.InterfaceType;
    }

    public TGrainInterface Get(string key) => (TGrainInterface)grains.GetGrain(GrainId.Create(grainType, key), interfaceType);
}
