namespace DosAi.Orleans.Grains.ApiKeys;

[GenerateSerializer, Alias("ApiKeyState")]
public sealed class ApiKeyState
{
    [Id(0)] public string? AccountId { get; set; }
    [Id(1)] public string? KeyId { get; set; }
    [Id(2)] public string Name { get; set; } = "";
    [Id(3)] public string Hint { get; set; } = "";
    [Id(4)] public DateTimeOffset CreatedAt { get; set; }
    [Id(5)] public DateTimeOffset? LastUsedAt { get; set; }
    [Id(6)] public bool Deleted { get; set; }

    /// <summary>
    /// The sliding window as of the last write-behind, restored when the key activates again (after a
    /// crash of its silo, a migration or a restart), so that only admissions of the last write-behind
    /// interval can be forgotten.
    /// </summary>
    [Id(7)] public List<WindowSlice> Window { get; set; } = [];
}
