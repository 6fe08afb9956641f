using System.Data.Common;
using DosAi.Orleans.Grains.Interfaces.Accounts;

namespace DosAi.Orleans.Grains.Accounting;

public static class LedgerPages
{
    /// <summary>
    /// Reads rows (seq, type, amount_micros, key_id, model, prompt_tokens, completion_tokens, reference,
    /// created) queried with one row more than <paramref name="limit"/>: that row only says whether there
    /// is more. Stores differ only in how they keep the creation time.
    /// </summary>
    public static async Task<LedgerPage> ReadAsync(
        DbDataReader reader, string accountId, int limit, Func<DbDataReader, int, DateTimeOffset> createdAt, CancellationToken cancellationToken)
    {
        var entries = new List<LedgerEntry>();
        while (await reader.ReadAsync(cancellationToken))
        {
            entries.Add(new LedgerEntry(
                accountId,
                reader.GetInt64(0),
                LedgerEntryTypes.FromWire(reader.GetString(1)),
                reader.GetInt64(2),
                reader.IsDBNull(3) ? null : reader.GetString(3),
                reader.IsDBNull(4) ? null : reader.GetString(4),
                reader.GetInt64(5),
                reader.GetInt64(6),
                reader.IsDBNull(7) ? null : reader.GetString(7),
                createdAt(reader, 8)));
        }

        var hasMore = entries.Count > limit;
        if (hasMore)
        {
            entries.RemoveAt(entries.Count - 1);
        }

        return new LedgerPage(entries, hasMore);
    }
}
