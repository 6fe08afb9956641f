namespace DosAi.Orleans.Grains;

public static class StorageNames
{
    /// <summary>The ADO.NET grain storage every grain uses. Each grain class has its own state name.</summary>
    public const string Default = "dosai";
}
