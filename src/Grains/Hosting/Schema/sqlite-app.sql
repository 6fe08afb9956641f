-- DosAi's own tables (the Orleans provider tables are in sqlite.sql). Idempotent.
CREATE TABLE IF NOT EXISTS dosai_ledger (
    account_id        TEXT    NOT NULL,
    seq               INTEGER NOT NULL,
    type              TEXT    NOT NULL,
    amount_micros     INTEGER NOT NULL,
    key_id            TEXT    NULL,
    model             TEXT    NULL,
    prompt_tokens     INTEGER NOT NULL,
    completion_tokens INTEGER NOT NULL,
    reference         TEXT    NULL,
    created_at_ms     INTEGER NOT NULL,
    PRIMARY KEY (account_id, seq)
) WITHOUT ROWID;
