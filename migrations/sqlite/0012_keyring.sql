-- Envelope encryption: the people's keys are kept wrapped (encrypted) by a master key that
-- lives outside the database (a file of mode 0600, or the environment), so a copy of the
-- database or of an export alone opens nothing. See ledger/src/store/keyring.rs.
--
-- One row: the key-check value (HMAC-SHA256 of a fixed label under the master key, hex), by
-- which the service refuses to start with a wrong or missing key; the generation of the master
-- key (1, then one more at every `cpts-ledger keys rotate`), bound into every wrapped key; and
-- the read models' key, wrapped like the people's.
CREATE TABLE keyring (
    singleton       INTEGER NOT NULL PRIMARY KEY CHECK (singleton = 1),
    generation      BIGINT  NOT NULL CHECK (generation >= 1),
    key_check       TEXT    NOT NULL,
    read_model_key  TEXT    NOT NULL,
    created_at      TEXT    NOT NULL,
    rotated_at      TEXT
);

-- A person's key, wrapped by the master key: `<nonce hex>:<ciphertext hex>`. The clear
-- `key_hex` of databases made before this migration is wrapped, then set to NULL, the first
-- time the service starts with a master key.
ALTER TABLE person_keys ADD COLUMN wrapped_key TEXT;
