using DosAi.Orleans.Grains.Accounting;
using DosAi.Orleans.Grains.Hosting;
using Microsoft.Extensions.Configuration;

namespace DosAi.Orleans.Grains.Tests.Accounting;

/// <summary>A SQLite accounting store on a fresh embedded data directory with the schema applied.</summary>
internal static class SqliteStores
{
    public static SqliteAccountingStore New()
    {
        var embedded = EmbeddedStore.FromConfiguration(new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Embedded:DataDirectory"] = Directory.CreateTempSubdirectory("dosai-accounting-").FullName }).Build());
        embedded.ApplySchema();
        return new SqliteAccountingStore(embedded.ConnectionString);
    }
}
