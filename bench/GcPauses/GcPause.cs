namespace DosAi.Orleans.Bench.GcPauses;

/// <summary>
/// One pause as the process's threads felt it: from the runtime starting to suspend them to letting them go.
/// Most are GCs (<see cref="Kind"/> <c>gen0</c>, <c>gen1</c>, <c>gen2</c>, or <c>gc, no start</c> for a pause
/// within a background GC); the runtime also suspends threads for other work, named by its reason.
/// The parts say where the pause went: <see cref="SuspendMs"/> waiting for every thread to stop,
/// <see cref="MarkMs"/> the slowest heap's time per root kind of the mark phase, <see cref="AfterMarkMs"/>
/// planning, sweeping or compacting until the GC ended. <see cref="CardMarkingMs"/> is the mark-phase part
/// that grows with how many old objects the program wrote young references into since the last GC
/// (e.g. grain activations that ran calls).
/// </summary>
public sealed record GcPause(
    DateTime StartUtc,
    double PauseMs,
    string Kind,
    double PromotedMB,
    double SuspendMs,
    IReadOnlyDictionary<GcMarkRoot, double> MarkMs,
    double AfterMarkMs)
{
    public DateTime EndUtc => StartUtc.AddMilliseconds(PauseMs);

    public double StacksMs => MarkMs.GetValueOrDefault(GcMarkRoot.Stacks);

    public double HandlesMs => MarkMs.GetValueOrDefault(GcMarkRoot.Handles);

    public double CardMarkingMs => MarkMs.GetValueOrDefault(GcMarkRoot.OlderGenerations);

    /// <summary>The mark phase's root kinds other than stacks, handles and cards.</summary>
    public double OtherRootsMs => MarkMs.Values.Sum() - StacksMs - HandlesMs - CardMarkingMs;

    public bool Overlaps(DateTime fromUtc, DateTime toUtc) => fromUtc <= EndUtc && toUtc >= StartUtc;
}
