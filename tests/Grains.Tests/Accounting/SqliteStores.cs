using DosAi.Orleans.Grains.Accounting;
using DosAi.Orleans.Grains.Hosting;
using Microsoft.Extensions.Configuration;

namespace DosAi.Orleans.Grains.Tests.Accounting;

/// <summary>SQLite accounting stores over embedded data directories, at the path the silo itself uses.</summary>
internal static class SqliteStores
{
    /// <summary>On a fresh data directory, with the schema applied.</summary>
    public static SqliteAccountingStore New()
    {
        var embedded = Embedded(Directory.CreateTempSubdirectory("dosai-accounting-").FullName);
        embedded.ApplySchema();
        return new SqliteAccountingStore(embedded.ConnectionString);
    }

    /// <summary>On a running cluster's data directory, to read what its accounts wrote without asking them.</summary>
    public static SqliteAccountingStore In(string dataDirectory) => new(Embedded(dataDirectory).ConnectionString);

    private static EmbeddedStore Embedded(string dataDirectory) =>
        EmbeddedStore.FromConfiguration(new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Embedded:DataDirectory"] = dataDirectory }).Build());
}
