-- The event log: every fact of the governance record, in one global order.
-- Rows are only ever appended; see ARCHITECTURE.md, "Ordering of the log" and "Hashing".

CREATE TABLE events (
    -- Global position: gap-free, assigned in commit order (appends hold the write lock).
    position        INTEGER NOT NULL PRIMARY KEY CHECK (position >= 1),
    aggregate_type  TEXT    NOT NULL,
    aggregate_id    TEXT    NOT NULL,
    sequence        INTEGER NOT NULL CHECK (sequence >= 1),
    event_type      TEXT    NOT NULL,
    event_version   TEXT    NOT NULL,
    -- The exact JSON text that was hashed.
    payload         TEXT    NOT NULL,
    metadata        TEXT    NOT NULL,
    community_id    TEXT,
    -- RFC 3339, UTC, six fractional digits: the exact text that was hashed.
    recorded_at     TEXT    NOT NULL,
    prev_hash       BLOB    NOT NULL CHECK (length(prev_hash) = 32),
    hash            BLOB    NOT NULL CHECK (length(hash) = 32),
    CONSTRAINT events_stream_sequence UNIQUE (aggregate_type, aggregate_id, sequence)
);

CREATE INDEX events_community_position ON events (community_id, position);

-- The head of the log: one row, moved by every append in the same transaction.
CREATE TABLE log_head (
    singleton   INTEGER NOT NULL PRIMARY KEY CHECK (singleton = 1),
    position    INTEGER NOT NULL,
    hash        BLOB    NOT NULL CHECK (length(hash) = 32),
    recorded_at TEXT
);

INSERT INTO log_head (singleton, position, hash, recorded_at) VALUES (1, 0, zeroblob(32), NULL);
