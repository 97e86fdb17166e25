-- One key per person whose personal data the log holds. Personal fields of events are
-- encrypted with it; erasing the person sets the key to NULL, after which those fields read as
-- erased everywhere while the events and their hashes stay as they were. Unlike the events,
-- this table is meant to change: it is what makes forgetting possible in an append-only log.
CREATE TABLE person_keys (
    subject_id  TEXT NOT NULL PRIMARY KEY,
    key_hex     TEXT,
    created_at  TEXT NOT NULL,
    erased_at   TEXT
);
