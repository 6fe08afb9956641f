using System.Diagnostics;
using DosAi.Orleans.Cluster.Tests.Infrastructure;

namespace DosAi.Orleans.Cluster.Tests.Processes;

/// <summary>One key served by two gateway processes in front of two silo processes.</summary>
public sealed class MultiGatewayTests(TwoByTwoFixture fixture) : IClassFixture<TwoByTwoFixture>
{
    private LocalCluster Cluster => fixture.Cluster;

    [Fact]
    public async Task One_key_driven_through_both_gateways_at_once_admits_exactly_its_limit()
    {
        var (a, b) = (Cluster.Gateways[0], Cluster.Gateways[1]);
        var account = await a.CreateAccount(LocalCluster.TightPlan, credits: 100);
        var (_, key) = await b.CreateKey(account);

        // One request through each gateway first: both must serve the key (racing alone, one gateway can take the
        // whole limit before the other's first request arrives). Then 88 more, 6 at a time through each gateway.
        var clock = Stopwatch.StartNew();
        Assert.Equal(200, await a.Chat(key));
        Assert.Equal(200, await b.Chat(key));
        var burst = await Task.WhenAll(new[] { a, b }.Select(async gateway =>
        {
            using var concurrency = new SemaphoreSlim(6);
            return await Task.WhenAll(Enumerable.Range(0, 44).Select(async _ =>
            {
                await concurrency.WaitAsync();
                try
                {
                    return await gateway.Chat(key);
                }
                finally
                {
                    concurrency.Release();
                }
            }));
        }));
        clock.Stop();

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(55), $"the burst took {clock.Elapsed}: the window slid, the count proves nothing");
        var statuses = burst.SelectMany(s => s).ToList();
        Assert.Equal(LocalCluster.TightRequestsPerMinute - 2, statuses.Count(status => status == 200));
        Assert.Equal(90 - LocalCluster.TightRequestsPerMinute, statuses.Count(status => status == 429));
    }

    [Fact]
    public async Task A_key_deleted_through_one_gateway_is_refused_by_the_other_on_the_very_next_request()
    {
        var (a, b) = (Cluster.Gateways[0], Cluster.Gateways[1]);
        for (var round = 0; round < 5; round++)
        {
            var account = await a.CreateAccount(LocalCluster.RoomyPlan, credits: 10);
            var (keyId, key) = await a.CreateKey(account);
            Assert.Equal(200, await b.Chat(key));
            Assert.Equal(200, await a.Chat(key));

            await a.DeleteKey(keyId);

            Assert.Equal(401, await b.Chat(key));
            Assert.Equal(401, await a.Chat(key));
        }
    }
    [Fact]
    public async Task A_session_cookie_issued_by_one_gateway_is_accepted_by_the_other()
    {
        var (a, b) = (Cluster.Gateways[0], Cluster.Gateways[1]);
        var email = $"ada-{Guid.NewGuid():N}@example.com";
        var cookie = await a.SignUp(email, "correct horse 42");

        Assert.Equal((System.Net.HttpStatusCode.OK, email), await b.AccountWithCookie(cookie));
        Assert.Equal(System.Net.HttpStatusCode.Unauthorized, (await b.AccountWithCookie(cookie[..^4] + "AAAA")).Status);
    }
}
