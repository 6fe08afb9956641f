namespace DosAi.Orleans.Bench.GcPauses;

/// <summary>
/// The root kinds the runtime's <c>GCMarkWithType</c> event times (its <c>Type</c> field); runtimes that
/// report more kinds show them by number.
/// </summary>
public enum GcMarkRoot
{
    Stacks = 0,
    FinalizationQueue = 1,
    Handles = 2,
    OlderGenerations = 3,
    SizedReferences = 4,
    Overflow = 5,
}
