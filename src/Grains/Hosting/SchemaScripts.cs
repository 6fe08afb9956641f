namespace DosAi.Orleans.Grains.Hosting;

/// <summary>The project's SQL schema files, embedded in this assembly.</summary>
public static class SchemaScripts
{
    public static string Read(string name)
    {
        using var stream = typeof(SchemaScripts).Assembly.GetManifestResourceStream($"DosAi.Orleans.Grains.Hosting.Schema.{name}")
            ?? throw new InvalidOperationException($"Schema script {name} is not embedded.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
