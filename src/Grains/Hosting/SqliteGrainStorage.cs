using Orleans.Storage;

namespace DosAi.Orleans.Grains.Hosting;

/// <summary>
/// The ADO.NET grain storage on SQLite, with its I/O moved off Orleans' scheduler threads (Microsoft.Data.Sqlite
/// is synchronous underneath its async methods) and its writes queued behind <see cref="SqliteWriteGate"/>.
/// </summary>
public sealed class SqliteGrainStorage(IGrainStorage inner, SqliteWriteGate writes) : IGrainStorage
{
    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        Task.Run(() => inner.ReadStateAsync(stateName, grainId, grainState));

    public Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        writes.RunAsync(() => inner.WriteStateAsync(stateName, grainId, grainState));

    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        writes.RunAsync(() => inner.ClearStateAsync(stateName, grainId, grainState));
}
