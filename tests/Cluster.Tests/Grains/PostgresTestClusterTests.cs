using DosAi.Orleans.Cluster.Tests.Infrastructure;
using DosAi.Orleans.Grains;
using DosAi.Orleans.Grains.Accounting;
using DosAi.Orleans.Grains.ApiKeys;
using DosAi.Orleans.Grains.Hosting;
using DosAi.Orleans.Grains.Interfaces;
using DosAi.Orleans.Grains.Interfaces.Accounts;
using DosAi.Orleans.Grains.Interfaces.ApiKeys;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Storage;
using Orleans.TestingHost;

namespace DosAi.Orleans.Cluster.Tests.Grains;

/// <summary>A three-silo TestCluster whose membership, grain storage and ledger are in PostgreSQL.</summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresTestClusterTests(PostgresFixture postgres) : IAsyncLifetime
{
    private TestCluster cluster = null!;

    public async Task InitializeAsync()
    {
        var builder = new TestClusterBuilder(3);
        builder.Options.UseTestClusterMembership = false;
        builder.Properties["Cluster:ConnectionString"] = await postgres.Server.CreateDatabaseAsync();
        builder.Properties["Persistence:WriteBehindInterval"] = "00:00:00.200";
        builder.Properties["Persistence:LedgerWriteInterval"] = "00:00:00.200";
        builder.AddSiloBuilderConfigurator<SiloConfigurator>();
        builder.AddClientBuilderConfigurator<ClientConfigurator>();
        cluster = builder.Build();
        await cluster.DeployAsync();
    }

    public async Task DisposeAsync()
    {
        await cluster.StopAllSilosAsync();
        await cluster.DisposeAsync();
    }

    [Fact]
    public async Task Killing_the_silo_of_a_full_key_loses_no_state_and_the_new_activation_keeps_refusing()
    {
        var grains = cluster.GrainFactory;
        var accountId = "acct_" + Guid.NewGuid().ToString("N");
        var account = grains.GetGrain<IAccountGrain>(accountId);
        Assert.True(await account.Create(new NewAccount($"{accountId}@example.com", null, "Free")));
        await account.AddCredits(5_000_000, "invoice-1");
        var hash = Convert.ToHexStringLower(Guid.NewGuid().ToByteArray().Concat(Guid.NewGuid().ToByteArray()).ToArray());
        var keyId = "key_" + Guid.NewGuid().ToString("N");
        await account.CreateKey(keyId, "laptop", hash, "dos_sk_…abcd");
        var key = grains.GetGrain<IApiKeyGrain>(GrainKeys.ForKeyHash(hash));

        var admitted = 0;
        for (var i = 0; i < 70; i++)
        {
            var admission = await key.Admit(new AdmissionRequest(10, 1));
            if (admission.Outcome == AdmissionOutcome.Admitted)
            {
                admitted++;
                await key.Settle(new Settlement(admission.Ticket, "m", 4, 6, 1));
            }
        }

        Assert.Equal(60, admitted);
        // Past a write-behind tick of both grains (200 ms here; longer on a loaded machine): the key's window and the
        // account's charges are in PostgreSQL before the key's silo dies.
        await UntilWrittenBehind(key, accountId, requests: 60, chargedMicros: 60);

        var host = await grains.GetGrain<IManagementGrain>(0).GetActivationAddress(key);
        Assert.NotNull(host);
        var victim = cluster.Silos.Single(silo => silo.SiloAddress.Equals(host));
        await cluster.KillSiloAsync(victim);

        var afterFailover = await Eventually(() => key.Admit(new AdmissionRequest(10, 1)));
        Assert.Equal(AdmissionOutcome.RequestsExceeded, afterFailover.Outcome);
        Assert.Equal(60, afterFailover.Limits!.RequestsUsed);
        Assert.NotEqual(host, await grains.GetGrain<IManagementGrain>(0).GetActivationAddress(key));

        var snapshot = (await Eventually(account.Get))!;
        Assert.Equal(5_000_000 - 60, snapshot.BalanceMicros);
        Assert.Equal(1, snapshot.KeyCount);
        var ledger = await account.GetLedger(0, 1_000);
        Assert.Equal(snapshot.BalanceMicros, ledger.Entries.Sum(entry => entry.AmountMicros));
        Assert.Single(ledger.Entries, entry => entry.Reference == "invoice-1");
        // The top-up's reference is a row in PostgreSQL: repeating the top-up applies nothing.
        Assert.Equal(CreditOutcome.Repeated, (await account.AddCredits(5_000_000, "invoice-1"))!.Outcome);
        Assert.Equal("laptop", (await key.GetInfo())!.Name);
    }

    private async Task UntilWrittenBehind(IApiKeyGrain key, string accountId, int requests, long chargedMicros)
    {
        var services = ((InProcessSiloHandle)cluster.Silos[0]).SiloHost.Services;
        var storage = services.GetRequiredKeyedService<IGrainStorage>(StorageNames.Default);
        var ledger = services.GetRequiredService<IAccountingStore>();
        var activity = new GrainState<ApiKeyActivity>();
        var deadline = DateTime.UtcNow.AddSeconds(30);
        bool written;
        do
        {
            await Task.Delay(100);
            await storage.ReadStateAsync("apikeyactivity", key.GetGrainId(), activity);
            var charged = -(await ledger.ReadLedgerAsync(accountId, 0, 1_000)).Entries.Where(entry => entry.Type == LedgerEntryType.Charge).Sum(entry => entry.AmountMicros);
            written = activity.State!.Window.Sum(slice => slice.Requests) == requests && charged == chargedMicros;
        }
        while (!written && DateTime.UtcNow < deadline);

        Assert.True(written, "the key's window or the account's charges were not written behind within 30 s");
    }

    /// <summary>Calls fail until the cluster has declared the killed silo dead; then they must succeed.</summary>
    private static async Task<T> Eventually<T>(Func<Task<T>> call)
    {
        var deadline = DateTime.UtcNow.AddSeconds(90);
        while (true)
        {
            try
            {
                return await call();
            }
            catch (Exception exception) when (exception is OrleansException or TimeoutException && DateTime.UtcNow < deadline)
            {
                await Task.Delay(250);
            }
        }
    }

    private sealed class SiloConfigurator : ISiloConfigurator
    {
        public void Configure(ISiloBuilder siloBuilder)
        {
            var configuration = siloBuilder.Configuration;
            siloBuilder.AddDosAiGrains(configuration);
            siloBuilder.UseDosAiMembership(ClusterSettings.From(configuration), configuration);
        }
    }

    private sealed class ClientConfigurator : IClientBuilderConfigurator
    {
        public void Configure(IConfiguration configuration, IClientBuilder clientBuilder) =>
            clientBuilder.UseAdoNetClustering(options =>
            {
                options.Invariant = PostgresStore.Invariant;
                options.ConnectionString = configuration["Cluster:ConnectionString"];
            });
    }
}
