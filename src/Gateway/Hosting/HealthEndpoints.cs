using DosAi.Orleans.Grains.Hosting;
using DosAi.Orleans.Grains.Interfaces.ApiKeys;

namespace DosAi.Orleans.Gateway.Hosting;

public static class HealthEndpoints
{
    /// <summary><c>/healthz</c>: the process answers. <c>/readyz</c>: a grain activates and storage answers.</summary>
    public static IEndpointRouteBuilder MapHealth(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/healthz", () => TypedResults.Text("ok"));
        routes.MapGet("/readyz", async (IGrainFactory grains, IServiceProvider services, CancellationToken cancellationToken) =>
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(5));
            try
            {
                await grains.GetGrain<IKeyIndexGrain>("key_readiness_probe").GetAccountId().WaitAsync(timeout.Token);
                if (services.GetService<IStorageHealth>() is { } storage && !await storage.IsReachableAsync(timeout.Token))
                {
                    return Results.Text("storage unreachable", statusCode: StatusCodes.Status503ServiceUnavailable);
                }

                return Results.Text("ready");
            }
            catch (Exception exception) when (exception is OperationCanceledException or OrleansException or TimeoutException)
            {
                return Results.Text("cluster unreachable", statusCode: StatusCodes.Status503ServiceUnavailable);
            }
        });
        return routes;
    }
}
