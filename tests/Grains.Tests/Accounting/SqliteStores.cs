using DosAi.Orleans.Grains.Accounting;
using DosAi.Orleans.Grains.Hosting;
using Microsoft.Extensions.Configuration;

namespace DosAi.Orleans.Grains.Tests.Accounting;

/// <summary>SQLite accounting stores over embedded data directories, at the path the silo itself uses.</summary>
internal static class SqliteStores
{
    /// <summary>On a fresh data directory, with the schema applied.</summary>
    public static SqliteAccountingStore New() => Over(NewEmbedded());

    /// <summary>A fresh data directory with the schema applied, for tests that also write to it otherwise.</summary>
    public static EmbeddedStore NewEmbedded()
    {
        var embedded = Embedded(Directory.CreateTempSubdirectory("dosai-accounting-").FullName);
        embedded.ApplySchema();
        return embedded;
    }

    public static SqliteAccountingStore Over(EmbeddedStore embedded) => new(embedded.ConnectionString, embedded.WriteGate);

    /// <summary>On a running cluster's data directory, to read what its accounts wrote without asking them.</summary>
    public static SqliteAccountingStore In(string dataDirectory) => Over(Embedded(dataDirectory));

    private static EmbeddedStore Embedded(string dataDirectory) =>
        EmbeddedStore.FromConfiguration(new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Embedded:DataDirectory"] = dataDirectory }).Build());
}
