namespace DosAi.Orleans.Grains.Hosting;

/// <summary>Answers whether the durable store can be reached, for <c>/readyz</c>.</summary>
public interface IStorageHealth
{
    Task<bool> IsReachableAsync(CancellationToken cancellationToken);
}
