namespace DosAi.Orleans.Grains;

/// <summary>
/// Grains read time from the keyed <see cref="TimeProvider"/> registered under <see cref="Key"/>, so
/// tests can move the clock of rate windows without also moving Orleans' own timers.
/// </summary>
public static class GrainClock
{
    public const string Key = "dosai-clock";
}
