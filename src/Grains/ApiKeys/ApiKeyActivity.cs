namespace DosAi.Orleans.Grains.ApiKeys;

/// <summary>
/// What changes with every request, kept apart from the key's metadata so that writing it behind never
/// races with (or blocks) the writes that must happen before an acknowledgement, such as revocation.
/// </summary>
[GenerateSerializer, Alias("ApiKeyActivity")]
public sealed class ApiKeyActivity
{
    [Id(0)] public DateTimeOffset? LastUsedAt { get; set; }

    /// <summary>
    /// The sliding window as of the last write-behind, restored when the key activates again (after a
    /// crash of its silo, a migration or a restart), so that only admissions of the last write-behind
    /// interval can be forgotten.
    /// </summary>
    [Id(1)] public List<WindowSlice> Window { get; set; } = [];
}
