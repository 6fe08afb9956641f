using DosAi.Orleans.Grains.Interfaces.Accounts;
using Npgsql;
using NpgsqlTypes;

namespace DosAi.Orleans.Grains.Accounting;

/// <summary>
/// Each batch is one statement, and all batches of a call travel in one round trip as an NpgsqlBatch
/// (one implicit transaction): the batch claim, the ledger, credit reference and usage rows go in
/// as arrays (unnest), and the inserts only run when the claim inserted a row. A statement
/// is atomic on its own, and a concurrent replay of the same batch waits on the claim's primary key and
/// then finds it taken.
/// </summary>
public sealed class PostgresAccountingStore(NpgsqlDataSource dataSource) : IAccountingStore
{
    private const string RecordSql = """
        WITH claim AS (
            INSERT INTO dosai_accounting_batches (account_id, seq) VALUES (@account, @batch)
            ON CONFLICT DO NOTHING
            RETURNING 1
        ), ledger AS (
            INSERT INTO dosai_ledger
                (account_id, seq, type, amount_micros, key_id, model, prompt_tokens, completion_tokens, reference, created_at)
            SELECT @account, l.seq, l.type, l.amount, l.key_id, l.model, l.prompt, l.completion, l.reference, l.created
            FROM unnest(@l_seq, @l_type, @l_amount, @l_key, @l_model, @l_prompt, @l_completion, @l_reference, @l_created)
                AS l(seq, type, amount, key_id, model, prompt, completion, reference, created)
            WHERE EXISTS (SELECT 1 FROM claim)
            ON CONFLICT DO NOTHING
        ), credit_references AS (
            INSERT INTO dosai_credit_references (account_id, reference, amount_micros)
            SELECT @account, r.reference, r.amount
            FROM unnest(@r_reference, @r_amount) AS r(reference, amount)
            WHERE EXISTS (SELECT 1 FROM claim)
            ON CONFLICT DO NOTHING
        )
        INSERT INTO dosai_usage AS u (account_id, key_id, minute_start, requests, prompt_tokens, completion_tokens, cost_micros)
        SELECT @account, b.key_id, b.minute, b.requests, b.prompt, b.completion, b.cost
        FROM unnest(@u_key, @u_minute, @u_requests, @u_prompt, @u_completion, @u_cost)
            AS b(key_id, minute, requests, prompt, completion, cost)
        WHERE EXISTS (SELECT 1 FROM claim)
        ON CONFLICT (account_id, minute_start, key_id) DO UPDATE SET
            requests = u.requests + excluded.requests,
            prompt_tokens = u.prompt_tokens + excluded.prompt_tokens,
            completion_tokens = u.completion_tokens + excluded.completion_tokens,
            cost_micros = u.cost_micros + excluded.cost_micros
        """;

    public async Task RecordAsync(IReadOnlyList<AccountingBatch> batches, CancellationToken cancellationToken = default)
    {
        await using var statements = dataSource.CreateBatch();
        foreach (var batch in batches)
        {
            statements.BatchCommands.Add(Command(batch));
        }

        await statements.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<AccountTail> ReadTailAsync(string accountId, long afterLedgerSequence, CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand("""
            SELECT (SELECT COALESCE(SUM(amount_micros), 0)::bigint FROM dosai_ledger WHERE account_id = @account AND seq > @after),
                   (SELECT COALESCE(MAX(seq), 0)::bigint FROM dosai_ledger WHERE account_id = @account),
                   (SELECT COALESCE(MAX(seq), 0)::bigint FROM dosai_accounting_batches WHERE account_id = @account)
            """);
        command.Parameters.AddWithValue("account", accountId);
        command.Parameters.AddWithValue("after", afterLedgerSequence);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return new AccountTail(reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2));
    }

    private static NpgsqlBatchCommand Command(AccountingBatch batch)
    {
        var command = new NpgsqlBatchCommand(RecordSql);
        var parameters = command.Parameters;
        parameters.Add(new NpgsqlParameter<string>("account", NpgsqlDbType.Text) { TypedValue = batch.AccountId });
        parameters.Add(new NpgsqlParameter<long>("batch", NpgsqlDbType.Bigint) { TypedValue = batch.Sequence });

        var ledger = batch.Ledger;
        Array("l_seq", NpgsqlDbType.Bigint, ledger.Select(entry => entry.Sequence));
        Array("l_type", NpgsqlDbType.Text, ledger.Select(entry => LedgerEntryTypes.ToWire(entry.Type)));
        Array("l_amount", NpgsqlDbType.Bigint, ledger.Select(entry => entry.AmountMicros));
        Array("l_key", NpgsqlDbType.Text, ledger.Select(entry => entry.KeyId));
        Array("l_model", NpgsqlDbType.Text, ledger.Select(entry => entry.Model));
        Array("l_prompt", NpgsqlDbType.Bigint, ledger.Select(entry => entry.PromptTokens));
        Array("l_completion", NpgsqlDbType.Bigint, ledger.Select(entry => entry.CompletionTokens));
        Array("l_reference", NpgsqlDbType.Text, ledger.Select(entry => entry.Reference));
        Array("l_created", NpgsqlDbType.TimestampTz, ledger.Select(entry => entry.CreatedAt.UtcDateTime));

        var references = batch.CreditReferences ?? [];
        Array("r_reference", NpgsqlDbType.Text, references.Select(credit => credit.Reference));
        Array("r_amount", NpgsqlDbType.Bigint, references.Select(credit => credit.AmountMicros));

        var usage = batch.Usage;
        Array("u_key", NpgsqlDbType.Text, usage.Select(bucket => bucket.KeyId));
        Array("u_minute", NpgsqlDbType.TimestampTz, usage.Select(bucket => bucket.Start.UtcDateTime));
        Array("u_requests", NpgsqlDbType.Bigint, usage.Select(bucket => bucket.Requests));
        Array("u_prompt", NpgsqlDbType.Bigint, usage.Select(bucket => bucket.PromptTokens));
        Array("u_completion", NpgsqlDbType.Bigint, usage.Select(bucket => bucket.CompletionTokens));
        Array("u_cost", NpgsqlDbType.Bigint, usage.Select(bucket => bucket.CostMicros));

        return command;

        void Array<T>(string name, NpgsqlDbType type, IEnumerable<T> values) =>
            parameters.Add(new NpgsqlParameter(name, NpgsqlDbType.Array | type) { Value = values.ToArray() });
    }

    public async Task<LedgerPage> ReadLedgerAsync(string accountId, long afterSequence, int limit, CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand("""
            SELECT seq, type, amount_micros, key_id, model, prompt_tokens, completion_tokens, reference, created_at
            FROM dosai_ledger WHERE account_id = @account AND seq > @after ORDER BY seq LIMIT @limit
            """);
        command.Parameters.AddWithValue("account", accountId);
        command.Parameters.AddWithValue("after", afterSequence);
        command.Parameters.AddWithValue("limit", limit + 1);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await LedgerPages.ReadAsync(reader, accountId, limit, (row, column) => row.GetFieldValue<DateTimeOffset>(column), cancellationToken);
    }

    public async Task<IReadOnlyList<UsageBucket>> ReadUsageAsync(string accountId, UsageQuery query, CancellationToken cancellationToken = default)
    {
        // date_bin from the Unix epoch gives the same UTC minute/hour/day buckets as the SQLite store.
        await using var command = dataSource.CreateCommand("""
            SELECT date_bin(make_interval(secs => @size), minute_start, timestamptz '1970-01-01 00:00:00+00') AS bucket, key_id,
                   SUM(requests)::bigint, SUM(prompt_tokens)::bigint, SUM(completion_tokens)::bigint, SUM(cost_micros)::bigint
            FROM dosai_usage
            WHERE account_id = @account AND minute_start >= @from AND minute_start < @to AND (@key::text IS NULL OR key_id = @key)
            GROUP BY bucket, key_id
            ORDER BY bucket, key_id
            """);
        command.Parameters.AddWithValue("size", (double)UsageGranularities.Seconds(query.Granularity));
        command.Parameters.AddWithValue("account", accountId);
        command.Parameters.AddWithValue("from", query.From.UtcDateTime);
        command.Parameters.AddWithValue("to", query.To.UtcDateTime);
        command.Parameters.Add(new NpgsqlParameter("key", NpgsqlDbType.Text) { Value = (object?)query.KeyId ?? DBNull.Value });
        var buckets = new List<UsageBucket>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            buckets.Add(new UsageBucket(
                reader.GetString(1),
                reader.GetFieldValue<DateTimeOffset>(0),
                reader.GetInt64(2),
                reader.GetInt64(3),
                reader.GetInt64(4),
                reader.GetInt64(5)));
        }

        return buckets;
    }

    public async Task<Dictionary<string, string>> ReadKeysAsync(string accountId, CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand("SELECT key_id, key_grain_id FROM dosai_account_keys WHERE account_id = @account");
        command.Parameters.AddWithValue("account", accountId);
        var keys = new Dictionary<string, string>(StringComparer.Ordinal);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            keys[reader.GetString(0)] = reader.GetString(1);
        }

        return keys;
    }

    public async Task AddKeysAsync(string accountId, IReadOnlyCollection<KeyValuePair<string, string>> keys, CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand("""
            INSERT INTO dosai_account_keys (account_id, key_id, key_grain_id)
            SELECT @account, k.key_id, k.grain FROM unnest(@keys, @grains) AS k(key_id, grain)
            ON CONFLICT DO NOTHING
            """);
        command.Parameters.AddWithValue("account", accountId);
        command.Parameters.AddWithValue("keys", keys.Select(key => key.Key).ToArray());
        command.Parameters.AddWithValue("grains", keys.Select(key => key.Value).ToArray());
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<long?> ReadCreditReferenceAsync(string accountId, string reference, CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand(
            "SELECT amount_micros FROM dosai_credit_references WHERE account_id = @account AND reference = @reference");
        command.Parameters.AddWithValue("account", accountId);
        command.Parameters.AddWithValue("reference", reference);
        return await command.ExecuteScalarAsync(cancellationToken) is long amount ? amount : null;
    }

    public async Task RemoveKeyAsync(string accountId, string keyId, CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand("DELETE FROM dosai_account_keys WHERE account_id = @account AND key_id = @key");
        command.Parameters.AddWithValue("account", accountId);
        command.Parameters.AddWithValue("key", keyId);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
