using System.Text.Json;

namespace DosAi.Orleans.Grains.Accounting;

/// <summary>
/// Many rows as one SQLite parameter: a UTF-8 JSON array of arrays that a statement unpacks with
/// <c>json_each</c>. One statement per batch instead of one per row: Microsoft.Data.Sqlite binds and
/// allocates per parameter per execution, which made row-by-row inserts a sixth of the gateway's allocations.
/// </summary>
internal static class JsonRows
{
    public static byte[] Write<T>(IReadOnlyList<T> items, Action<Utf8JsonWriter, T> writeRow)
    {
        using var stream = new MemoryStream(items.Count * 128);
        using (var writer = new Utf8JsonWriter(stream))
        {
            writer.WriteStartArray();
            foreach (var item in items)
            {
                writer.WriteStartArray();
                writeRow(writer, item);
                writer.WriteEndArray();
            }

            writer.WriteEndArray();
        }

        return stream.ToArray();
    }
}
