using System.Collections.Concurrent;
using DosAi.Orleans.Grains.Accounts;
using DosAi.Orleans.Grains.Interfaces.Accounts;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace DosAi.Orleans.Grains.ApiKeys;

/// <summary>
/// The silo's one write-behind loop for its key grains, in place of a timer in each. Once every interval it
/// visits each key with something pending: it takes the charges the key holds and sends them to the account,
/// one call for all of an account's keys, and gives the key a grain turn (<see cref="ApiKeyGrain.Tend"/>) only
/// when its lease needs renewing or giving back or its admissions are worth saving. A timer per key cost a
/// scheduler turn and a charge call per busy key per interval: at 2,000 req/s over 2,000 keys as many grain
/// turns as requests, and most of the garbage. Keys are visited in slices by account, a tenth of the interval
/// apart, so the accounts' calls do not all come at once. Leases are tended only on every tenth visit of a key
/// (<see cref="VisitsPerLeaseTending"/>): a lease is renewed 20 s after it was granted and usable for 40, and a
/// request that finds it due renews it itself, so they need no closer look; looking every interval cost the
/// gateway ~0.3 ms of p99 at 2,000 req/s (bench/README.md, twentieth session).
/// When the silo stops, the keys holding charges are told to send them before any grain deactivates (during
/// deactivation an account may already be gone when its key's last charges arrive). From then on keys send
/// every charge at once, and no longer give their credit leases back (the stopping silo's accounts go with them).
/// </summary>
public sealed class ApiKeyTicker(IOptions<WriteBehindOptions> options, ILogger<ApiKeyTicker> logger) : ILifecycleParticipant<ISiloLifecycle>
{
    private const int Slices = 10;
    private const int VisitsPerLeaseTending = 10;
    private readonly ConcurrentDictionary<ApiKeyGrain, bool>[] slices = [.. Enumerable.Range(0, Slices).Select(_ => new ConcurrentDictionary<ApiKeyGrain, bool>())];
    // The visits whose calls are still under way, for the silo's stop to wait for.
    private readonly ConcurrentDictionary<Task, bool> outstanding = new();
    // By account, the charges visits took from its keys until the account has them. Kept here, not in each
    // key: a task per key per visit was a young object in an old grain for every gen0 GC to scan.
    private readonly ConcurrentDictionary<string, Task> chargesOnTheirWay = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource stopping = new();
    private Task running = Task.CompletedTask;

    public bool SiloStopping { get; private set; }

    internal static int SliceOf(string accountId) => (int)((uint)accountId.GetHashCode() % Slices);

    internal void Add(ApiKeyGrain key, int slice) => slices[slice][key] = true;

    internal void Remove(ApiKeyGrain key, int slice) => slices[slice].TryRemove(key, out _);

    // Active stops before BecomeActive, where the silo deactivates every grain.
    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(ApiKeyTicker), ServiceLifecycleStage.Active, Start, Stop);

    private Task Start(CancellationToken cancellationToken)
    {
        running = Task.Run(Run, CancellationToken.None);
        return Task.CompletedTask;
    }

    private async Task Run()
    {
        using var timer = new PeriodicTimer(options.Value.WriteBehindInterval / Slices);
        var visit = 0L;
        try
        {
            while (await timer.WaitForNextTickAsync(stopping.Token))
            {
                var round = visit / Slices; // a round visits every slice once
                _ = Visit(slices[visit++ % Slices], tendLeases: round % VisitsPerLeaseTending == 0);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>Every key now: a visit of the loop to every slice (tests, on clusters whose loop never runs).</summary>
    internal Task VisitAll(bool tendLeases) => Task.WhenAll(slices.Select(keys => Visit(keys, tendLeases)));

    /// <summary>
    /// Starts the calls a slice of keys needs and returns without waiting for them: an account slow to answer
    /// (its silo just died) holds up only its own keys, which ask for no other turn meanwhile and whose
    /// account reads wait for their charges on the way.
    /// </summary>
    private Task Visit(ConcurrentDictionary<ApiKeyGrain, bool> keys, bool tendLeases)
    {
        var batches = new Dictionary<string, AccountChargeBatch>();
        var work = new List<Task>();
        foreach (var (key, _) in keys)
        {
            if (key.OnTick(batches, tendLeases))
            {
                work.Add(Tend(key, tendLeases));
            }
        }

        work.AddRange(batches.Values.Select(batch => batch.Send(logger)));
        if (work.Count == 0)
        {
            return Task.CompletedTask;
        }

        var visit = Task.WhenAll(work);
        outstanding[visit] = true;
        _ = visit.ContinueWith(done => outstanding.TryRemove(done, out _), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        return visit;
    }

    /// <summary>
    /// The visit's batch for an account, made by the first of its keys with charges, under that key's gate:
    /// from then on the account's reads wait for it (<see cref="ChargesOnTheirWay"/>), before any charge leaves a key.
    /// </summary>
    internal AccountChargeBatch BatchFor(Dictionary<string, AccountChargeBatch> batches, string accountId, IAccountGrain account)
    {
        if (!batches.TryGetValue(accountId, out var batch))
        {
            batches[accountId] = batch = new AccountChargeBatch(accountId, account);
            // An earlier visit's batch may still be on its way (its account slow to answer).
            var onTheirWay = chargesOnTheirWay.AddOrUpdate(accountId, (_, arrived) => arrived,
                (_, earlier, arrived) => earlier.IsCompleted ? arrived : Task.WhenAll(earlier, arrived), batch.Arrived);
            _ = onTheirWay.ContinueWith(arrived => chargesOnTheirWay.TryRemove(new KeyValuePair<string, Task>(accountId, arrived)),
                CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }

        return batch;
    }

    /// <summary>What visits took from the account's keys and the account does not have yet.</summary>
    internal Task ChargesOnTheirWay(string accountId) =>
        chargesOnTheirWay.TryGetValue(accountId, out var onTheirWay) ? onTheirWay : Task.CompletedTask;

    private async Task Tend(ApiKeyGrain key, bool tendLease)
    {
        try
        {
            await key.Reference.Tend(tendLease);
        }
        catch (Exception exception)
        {
            // Asked again on a later visit.
            logger.LogWarning(exception, "Tending a key grain failed");
        }
        finally
        {
            key.Tended();
        }
    }

    private async Task Stop(CancellationToken cancellationToken)
    {
        SiloStopping = true;
        await stopping.CancelAsync();
        await running;
        var holding = slices.SelectMany(keys => keys.Keys).Where(key => key.HoldsCharges).ToList();
        try
        {
            // Sending waits for charges a visit still has on their way too.
            await Task.WhenAll(outstanding.Keys.Concat(holding.Select(key => key.Reference.SendCharges()))).WaitAsync(cancellationToken);
        }
        catch (Exception exception)
        {
            logger.LogError(exception, "Not every one of {Keys} keys sent its charges before the silo stopped; the rest send on deactivation", holding.Count);
        }
    }
}
