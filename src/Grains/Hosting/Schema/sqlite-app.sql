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

-- Per key per UTC minute; batches add to existing rows.
CREATE TABLE IF NOT EXISTS dosai_usage (
    account_id        TEXT    NOT NULL,
    key_id            TEXT    NOT NULL,
    minute_start      INTEGER NOT NULL,
    requests          INTEGER NOT NULL,
    prompt_tokens     INTEGER NOT NULL,
    completion_tokens INTEGER NOT NULL,
    cost_micros       INTEGER NOT NULL,
    PRIMARY KEY (account_id, minute_start, key_id)
) WITHOUT ROWID;

-- Each account's keys: key id -> key grain id. Rows, not a list in the account's grain state, so that creating
-- or deleting a key writes one row whatever the number of keys.
CREATE TABLE IF NOT EXISTS dosai_account_keys (
    account_id   TEXT NOT NULL,
    key_id       TEXT NOT NULL,
    key_grain_id TEXT NOT NULL,
    PRIMARY KEY (account_id, key_id)
) WITHOUT ROWID;

-- Accounting batches already applied: replays after a crash are ignored.
CREATE TABLE IF NOT EXISTS dosai_accounting_batches (
    account_id TEXT    NOT NULL,
    seq        INTEGER NOT NULL,
    PRIMARY KEY (account_id, seq)
) WITHOUT ROWID;

-- The reference of every credit (top-up or adjustment) with the amount it asked for, for idempotency. Rows, not a
-- map in the account's grain state, which every checkpoint would rewrite whole.
CREATE TABLE IF NOT EXISTS dosai_credit_references (
    account_id    TEXT    NOT NULL,
    reference     TEXT    NOT NULL,
    amount_micros INTEGER NOT NULL,
    PRIMARY KEY (account_id, reference)
) WITHOUT ROWID;
