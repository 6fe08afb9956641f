using DosAi.Orleans.Grains.Interfaces.Accounts;
using Microsoft.Data.Sqlite;

namespace DosAi.Orleans.Grains.Ledger;

public sealed class SqliteLedgerStore(string connectionString) : ILedgerStore
{
    public async Task AppendAsync(IReadOnlyCollection<LedgerEntry> entries, CancellationToken cancellationToken = default)
    {
        if (entries.Count == 0)
        {
            return;
        }

        await using var connection = new SqliteConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = """
            INSERT OR IGNORE INTO dosai_ledger
                (account_id, seq, type, amount_micros, key_id, model, prompt_tokens, completion_tokens, reference, created_at_ms)
            VALUES ($account, $seq, $type, $amount, $key, $model, $prompt, $completion, $reference, $created)
            """;
        var account = command.Parameters.Add("$account", SqliteType.Text);
        var seq = command.Parameters.Add("$seq", SqliteType.Integer);
        var type = command.Parameters.Add("$type", SqliteType.Text);
        var amount = command.Parameters.Add("$amount", SqliteType.Integer);
        var key = command.Parameters.Add("$key", SqliteType.Text);
        var model = command.Parameters.Add("$model", SqliteType.Text);
        var prompt = command.Parameters.Add("$prompt", SqliteType.Integer);
        var completion = command.Parameters.Add("$completion", SqliteType.Integer);
        var reference = command.Parameters.Add("$reference", SqliteType.Text);
        var created = command.Parameters.Add("$created", SqliteType.Integer);
        foreach (var entry in entries)
        {
            account.Value = entry.AccountId;
            seq.Value = entry.Sequence;
            type.Value = LedgerEntryTypes.ToWire(entry.Type);
            amount.Value = entry.AmountMicros;
            key.Value = (object?)entry.KeyId ?? DBNull.Value;
            model.Value = (object?)entry.Model ?? DBNull.Value;
            prompt.Value = entry.PromptTokens;
            completion.Value = entry.CompletionTokens;
            reference.Value = (object?)entry.Reference ?? DBNull.Value;
            created.Value = entry.CreatedAt.ToUnixTimeMilliseconds();
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
    }

    public async Task<LedgerPage> ReadAsync(string accountId, long afterSequence, int limit, CancellationToken cancellationToken = default)
    {
        await using var connection = new SqliteConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT seq, type, amount_micros, key_id, model, prompt_tokens, completion_tokens, reference, created_at_ms
            FROM dosai_ledger WHERE account_id = $account AND seq > $after ORDER BY seq LIMIT $limit
            """;
        command.Parameters.AddWithValue("$account", accountId);
        command.Parameters.AddWithValue("$after", afterSequence);
        command.Parameters.AddWithValue("$limit", limit + 1);
        var entries = new List<LedgerEntry>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
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
                DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(8))));
        }

        var hasMore = entries.Count > limit;
        if (hasMore)
        {
            entries.RemoveAt(entries.Count - 1);
        }

        return new LedgerPage(entries, hasMore);
    }
}
