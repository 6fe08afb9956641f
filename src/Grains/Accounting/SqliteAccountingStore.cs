using DosAi.Orleans.Grains.Interfaces.Accounts;
using Microsoft.Data.Sqlite;

namespace DosAi.Orleans.Grains.Accounting;

public sealed class SqliteAccountingStore(string connectionString) : IAccountingStore
{
    public async Task RecordAsync(IReadOnlyList<AccountingBatch> batches, CancellationToken cancellationToken = default)
    {
        await using var connection = new SqliteConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        await using var transaction = connection.BeginTransaction();
        foreach (var batch in batches)
        {
            await using (var claim = connection.CreateCommand())
            {
                claim.Transaction = transaction;
                claim.CommandText = "INSERT OR IGNORE INTO dosai_accounting_batches (account_id, seq) VALUES ($account, $seq)";
                claim.Parameters.AddWithValue("$account", batch.AccountId);
                claim.Parameters.AddWithValue("$seq", batch.Sequence);
                if (await claim.ExecuteNonQueryAsync(cancellationToken) == 0)
                {
                    continue;
                }
            }

            await InsertLedger(connection, transaction, batch.Ledger, cancellationToken);
            await AddUsage(connection, transaction, batch.AccountId, batch.Usage, cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
    }

    public async Task<AccountTail> ReadTailAsync(string accountId, long afterLedgerSequence, CancellationToken cancellationToken = default)
    {
        await using var connection = new SqliteConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT (SELECT COALESCE(SUM(amount_micros), 0) FROM dosai_ledger WHERE account_id = $account AND seq > $after),
                   (SELECT COALESCE(MAX(seq), 0) FROM dosai_ledger WHERE account_id = $account),
                   (SELECT COALESCE(MAX(seq), 0) FROM dosai_accounting_batches WHERE account_id = $account)
            """;
        command.Parameters.AddWithValue("$account", accountId);
        command.Parameters.AddWithValue("$after", afterLedgerSequence);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return new AccountTail(reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2));
    }

    private static async Task InsertLedger(SqliteConnection connection, SqliteTransaction transaction, IReadOnlyList<LedgerEntry> entries, CancellationToken cancellationToken)
    {
        if (entries.Count == 0)
        {
            return;
        }

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
    }

    private static async Task AddUsage(SqliteConnection connection, SqliteTransaction transaction, string accountId, IReadOnlyList<UsageBucket> buckets, CancellationToken cancellationToken)
    {
        if (buckets.Count == 0)
        {
            return;
        }

        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = """
            INSERT INTO dosai_usage (account_id, key_id, minute_start, requests, prompt_tokens, completion_tokens, cost_micros)
            VALUES ($account, $key, $minute, $requests, $prompt, $completion, $cost)
            ON CONFLICT (account_id, minute_start, key_id) DO UPDATE SET
                requests = requests + excluded.requests,
                prompt_tokens = prompt_tokens + excluded.prompt_tokens,
                completion_tokens = completion_tokens + excluded.completion_tokens,
                cost_micros = cost_micros + excluded.cost_micros
            """;
        command.Parameters.AddWithValue("$account", accountId);
        var key = command.Parameters.Add("$key", SqliteType.Text);
        var minute = command.Parameters.Add("$minute", SqliteType.Integer);
        var requests = command.Parameters.Add("$requests", SqliteType.Integer);
        var prompt = command.Parameters.Add("$prompt", SqliteType.Integer);
        var completion = command.Parameters.Add("$completion", SqliteType.Integer);
        var cost = command.Parameters.Add("$cost", SqliteType.Integer);
        foreach (var bucket in buckets)
        {
            key.Value = bucket.KeyId;
            minute.Value = bucket.Start.ToUnixTimeSeconds();
            requests.Value = bucket.Requests;
            prompt.Value = bucket.PromptTokens;
            completion.Value = bucket.CompletionTokens;
            cost.Value = bucket.CostMicros;
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
    }

    public async Task<LedgerPage> ReadLedgerAsync(string accountId, long afterSequence, int limit, CancellationToken cancellationToken = default)
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
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await LedgerPages.ReadAsync(reader, accountId, limit, (row, column) => DateTimeOffset.FromUnixTimeMilliseconds(row.GetInt64(column)), cancellationToken);
    }

    public async Task<IReadOnlyList<UsageBucket>> ReadUsageAsync(string accountId, UsageQuery query, CancellationToken cancellationToken = default)
    {
        await using var connection = new SqliteConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT (minute_start / $size) * $size AS bucket, key_id,
                   SUM(requests), SUM(prompt_tokens), SUM(completion_tokens), SUM(cost_micros)
            FROM dosai_usage
            WHERE account_id = $account AND minute_start >= $from AND minute_start < $to AND ($key IS NULL OR key_id = $key)
            GROUP BY bucket, key_id
            ORDER BY bucket, key_id
            """;
        command.Parameters.AddWithValue("$size", UsageGranularities.Seconds(query.Granularity));
        command.Parameters.AddWithValue("$account", accountId);
        command.Parameters.AddWithValue("$from", query.From.ToUnixTimeSeconds());
        command.Parameters.AddWithValue("$to", query.To.ToUnixTimeSeconds());
        command.Parameters.AddWithValue("$key", (object?)query.KeyId ?? DBNull.Value);
        var buckets = new List<UsageBucket>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            buckets.Add(new UsageBucket(
                reader.GetString(1),
                DateTimeOffset.FromUnixTimeSeconds(reader.GetInt64(0)),
                reader.GetInt64(2),
                reader.GetInt64(3),
                reader.GetInt64(4),
                reader.GetInt64(5)));
        }

        return buckets;
    }
}
