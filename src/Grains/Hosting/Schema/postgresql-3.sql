-- Version 3: the reference of every credit (top-up or adjustment) with the amount it asked for, for idempotency.
-- Rows, not a map in the account's grain state, which every checkpoint would rewrite whole. Accounts move the
-- references their states still hold on activation.
CREATE TABLE IF NOT EXISTS dosai_credit_references
(
    account_id    text   NOT NULL,
    reference     text   NOT NULL,
    amount_micros bigint NOT NULL,
    CONSTRAINT pk_dosai_credit_references PRIMARY KEY (account_id, reference)
);
