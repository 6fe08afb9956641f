using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace DosAi.Orleans.Bench.Runner;

/// <summary>Creates accounts, credits and keys through the gateway's real admin API (nothing is written behind its back).</summary>
public sealed class GatewayAdmin(HttpClient client, string baseUrl)
{
    private const decimal CreditUsd = 1_000_000m;

    /// <summary>
    /// <paramref name="keys"/> keys spread over accounts of <paramref name="keysPerAccount"/> (one account per
    /// key would make account creation dominate; all keys in one account would make it the hot spot).
    /// </summary>
    public async Task<string[]> ProvisionAsync(int keys, int keysPerAccount, string plan, string tag, int parallelism = 16, Action<int>? progress = null)
    {
        var created = new string[keys];
        var accounts = (keys + keysPerAccount - 1) / keysPerAccount;
        var done = 0;
        await Parallel.ForEachAsync(Enumerable.Range(0, accounts), new ParallelOptions { MaxDegreeOfParallelism = parallelism }, async (account, cancellation) =>
        {
            var id = await CreateAccountAsync($"bench-{tag}-{account}@example.com", plan, cancellation);
            await AddCreditsAsync(id, CreditUsd, $"bench-{tag}-{account}", cancellation);
            for (var k = account * keysPerAccount; k < Math.Min(keys, (account + 1) * keysPerAccount); k++)
            {
                created[k] = await CreateKeyAsync(id, $"bench {k}", cancellation);
                progress?.Invoke(Interlocked.Increment(ref done));
            }
        });
        return created;
    }

    private async Task<string> CreateAccountAsync(string email, string plan, CancellationToken cancellation) =>
        (await PostAsync("/admin/accounts", new { email, plan }, cancellation))["id"]!.GetValue<string>();

    private Task AddCreditsAsync(string account, decimal amount, string reference, CancellationToken cancellation) =>
        PostAsync($"/admin/accounts/{account}/credits", new { amount_usd = amount, reference }, cancellation);

    private async Task<string> CreateKeyAsync(string account, string name, CancellationToken cancellation) =>
        (await PostAsync($"/admin/accounts/{account}/keys", new { name }, cancellation))["key"]!.GetValue<string>();

    private async Task<JsonNode> PostAsync(string path, object body, CancellationToken cancellation)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, baseUrl + path) { Content = JsonContent.Create(body) };
        request.Headers.Authorization = new("Bearer", PeerLauncher.AdminToken);
        using var response = await client.SendAsync(request, cancellation);
        var text = await response.Content.ReadAsStringAsync(cancellation);
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"POST {path} answered {(int)response.StatusCode}: {text}");
        }

        return JsonNode.Parse(text)!;
    }
}
