-- Version 2: each account's keys (key id -> key grain id) as rows, not a list in the account's grain state,
-- so that creating or deleting a key writes one row whatever the number of keys. Accounts move the lists their
-- states still hold on activation.
CREATE TABLE IF NOT EXISTS dosai_account_keys
(
    account_id   text NOT NULL,
    key_id       text NOT NULL,
    key_grain_id text NOT NULL,
    CONSTRAINT pk_dosai_account_keys PRIMARY KEY (account_id, key_id)
);
