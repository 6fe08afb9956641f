-- DosAi's own tables on PostgreSQL (the Orleans provider tables are in postgresql.sql). Idempotent.
-- Same shape as sqlite-app.sql; times are timestamptz so operators can query them directly.
CREATE TABLE IF NOT EXISTS dosai_ledger
(
    account_id        text        NOT NULL,
    seq               bigint      NOT NULL,
    type              text        NOT NULL,
    amount_micros     bigint      NOT NULL,
    key_id            text        NULL,
    model             text        NULL,
    prompt_tokens     bigint      NOT NULL,
    completion_tokens bigint      NOT NULL,
    reference         text        NULL,
    created_at        timestamptz NOT NULL,
    CONSTRAINT pk_dosai_ledger PRIMARY KEY (account_id, seq)
);

-- Per key per UTC minute; batches add to existing rows.
CREATE TABLE IF NOT EXISTS dosai_usage
(
    account_id        text        NOT NULL,
    key_id            text        NOT NULL,
    minute_start      timestamptz NOT NULL,
    requests          bigint      NOT NULL,
    prompt_tokens     bigint      NOT NULL,
    completion_tokens bigint      NOT NULL,
    cost_micros       bigint      NOT NULL,
    CONSTRAINT pk_dosai_usage PRIMARY KEY (account_id, minute_start, key_id)
);

-- Accounting batches already applied: replays after a crash are ignored.
CREATE TABLE IF NOT EXISTS dosai_accounting_batches
(
    account_id text   NOT NULL,
    seq        bigint NOT NULL,
    CONSTRAINT pk_dosai_accounting_batches PRIMARY KEY (account_id, seq)
);

-- ASP.NET data-protection keys shared by every gateway, so a session cookie issued by one gateway
-- is accepted by all of them.
CREATE TABLE IF NOT EXISTS dosai_data_protection_keys
(
    name text NOT NULL,
    xml  text NOT NULL,
    CONSTRAINT pk_dosai_data_protection_keys PRIMARY KEY (name)
);
