using System.Buffers;
using System.Runtime.InteropServices;
using System.Text.Json;
using Microsoft.Data.Sqlite;

namespace DosAi.Orleans.Grains.Accounting;

/// <summary>
/// Many rows as one SQLite parameter: a UTF-8 JSON array of arrays that a statement unpacks with
/// <c>jsonb_each</c>. One statement per batch instead of one per row: Microsoft.Data.Sqlite binds and
/// allocates per parameter per execution, which made row-by-row inserts a sixth of the gateway's allocations.
/// One instance serves every statement of its store, reusing one buffer; it is not thread-safe.
/// </summary>
internal sealed class JsonRows
{
    private readonly ArrayBufferWriter<byte> buffer = new(4 * 1024);
    private readonly Utf8JsonWriter writer;

    public JsonRows() => writer = new Utf8JsonWriter(buffer);

    /// <summary>Writes the rows and binds them to <paramref name="parameter"/> until the next call.</summary>
    public void Bind<T>(SqliteParameter parameter, IReadOnlyList<T> items, Action<Utf8JsonWriter, T> writeRow)
    {
        buffer.ResetWrittenCount();
        writer.Reset();
        writer.WriteStartArray();
        foreach (var item in items)
        {
            writer.WriteStartArray();
            writeRow(writer, item);
            writer.WriteEndArray();
        }

        writer.WriteEndArray();
        writer.Flush();
        // The buffer's array is longer than what was written: Size makes SQLite read only the rows.
        MemoryMarshal.TryGetArray(buffer.WrittenMemory, out var written);
        parameter.Value = written.Array;
        parameter.Size = written.Count;
    }
}
