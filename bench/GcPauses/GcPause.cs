namespace DosAi.Orleans.Bench.GcPauses;

/// <summary>
/// One pause as the process's threads felt it: from the runtime starting to suspend them to letting them go.
/// Most are GCs (<see cref="Kind"/> <c>gen0</c>, <c>gen1</c>, <c>gen2</c>, or <c>gc, no start</c> for a pause
/// within a background GC); the runtime also suspends threads for other work, named by its reason.
/// <see cref="CardMarkingMs"/> is the longest any GC heap spent marking from older generations' cards
/// (old objects handed a young reference since the last GC); for a gen0 GC it grows with how many old
/// objects the program wrote young references into, e.g. grain activations that ran calls.
/// </summary>
public sealed record GcPause(DateTime StartUtc, double PauseMs, string Kind, double PromotedMB, double CardMarkingMs)
{
    public DateTime EndUtc => StartUtc.AddMilliseconds(PauseMs);

    public bool Overlaps(DateTime fromUtc, DateTime toUtc) => fromUtc <= EndUtc && toUtc >= StartUtc;
}
