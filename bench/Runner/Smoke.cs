namespace DosAi.Orleans.Bench.Runner;

/// <summary>CI's seconds-long check that the harness still drives the real gateway: upstream + gateway, a few keys, a few requests, all 200.</summary>
public static class Smoke
{
    private const int Requests = 12;

    public static async Task<int> RunAsync(PeerLauncher launcher, HttpClient client)
    {
        await using var upstream = await launcher.StartUpstreamAsync();
        await using var gateway = await launcher.StartGatewayAsync(upstream, Path.Combine(launcher.RunDirectory, "smoke-data"),
            new Dictionary<string, string> { ["Plans:Bench:RequestsPerMinute"] = "1000", ["Plans:Bench:TokensPerMinute"] = "10000000" });
        var keys = await new GatewayAdmin(client, gateway.BaseUrl).ProvisionAsync(3, 3, "Bench", "smoke");
        var sender = new ClosedLoopSender(client);
        var order = Enumerable.Range(0, Requests).Select(i => i % keys.Length).ToArray();
        var (direct, _) = await sender.RunAsync(PeerLauncher.Direct(upstream), keys, order, 2);
        var (proxied, _) = await sender.RunAsync(gateway, keys, order, 2);
        var ok = direct.Count(e => e.Status == 200) + proxied.Count(e => e.Status == 200);
        var statuses = string.Join(", ", proxied.GroupBy(e => e.Status).Select(g => $"{g.Key}×{g.Count()}"));
        Console.WriteLine($"smoke: {ok} of {2 * Requests} requests answered 200 (gateway: {statuses})");
        return ok == 2 * Requests ? 0 : 1;
    }
}
