using Orleans.Storage;

namespace DosAi.Orleans.Grains.Hosting;

/// <summary>The embedded silo's grain storage: Orleans' ADO.NET provider on SQLite, writing in turn with the ledger.</summary>
public sealed class SqliteGatedGrainStorage(IGrainStorage sqlite, SqliteWriteGate gate) : IGrainStorage
{
    // Reads need no turn: in WAL mode they never wait for a writer.
    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        sqlite.ReadStateAsync(stateName, grainId, grainState);

    public Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        gate.RunAsync(() => sqlite.WriteStateAsync(stateName, grainId, grainState));

    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        gate.RunAsync(() => sqlite.ClearStateAsync(stateName, grainId, grainState));
}
