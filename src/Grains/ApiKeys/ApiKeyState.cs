namespace DosAi.Orleans.Grains.ApiKeys;

[GenerateSerializer, Alias("ApiKeyState")]
public sealed class ApiKeyState
{
    [Id(0)] public string? AccountId { get; set; }
    [Id(1)] public string? KeyId { get; set; }
    [Id(2)] public string Name { get; set; } = "";
    [Id(3)] public string Hint { get; set; } = "";
    [Id(4)] public DateTimeOffset CreatedAt { get; set; }
    [Id(6)] public bool Deleted { get; set; }
}
