namespace DosAi.Orleans.Grains.ApiKeys;

/// <summary>
/// The admissions of one second of a key's window, as persisted with the key: how many and their
/// tokens, dated at the newest of them so that restored entries expire no earlier than the real ones.
/// </summary>
[GenerateSerializer, Immutable, Alias("WindowSlice")]
public sealed record WindowSlice(
    [property: Id(0)] DateTimeOffset Newest,
    [property: Id(1)] int Requests,
    [property: Id(2)] long Tokens);
