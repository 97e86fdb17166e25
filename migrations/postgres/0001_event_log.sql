-- The event log: every fact of the governance record, in one global order.
-- Rows are only ever appended; see ARCHITECTURE.md, "Ordering of the log" and "Hashing".

CREATE TABLE events (
    -- Global position: gap-free, assigned in commit order under the lock on log_head.
    position        BIGINT      PRIMARY KEY CHECK (position >= 1),
    aggregate_type  TEXT        NOT NULL,
    aggregate_id    TEXT        NOT NULL,
    sequence        BIGINT      NOT NULL CHECK (sequence >= 1),
    event_type      TEXT        NOT NULL,
    event_version   TEXT        NOT NULL,
    -- The exact JSON text that was hashed (text, not JSONB, so the bytes stay the bytes).
    payload         TEXT        NOT NULL,
    metadata        TEXT        NOT NULL,
    community_id    TEXT,
    recorded_at     TIMESTAMPTZ NOT NULL,
    prev_hash       BYTEA       NOT NULL CHECK (octet_length(prev_hash) = 32),
    hash            BYTEA       NOT NULL CHECK (octet_length(hash) = 32),
    CONSTRAINT events_stream_sequence UNIQUE (aggregate_type, aggregate_id, sequence)
);

CREATE INDEX events_community_position ON events (community_id, position);

-- The head of the log: one row, locked by every append until it commits.
CREATE TABLE log_head (
    singleton   BOOLEAN     PRIMARY KEY DEFAULT TRUE CHECK (singleton),
    position    BIGINT      NOT NULL,
    hash        BYTEA       NOT NULL CHECK (octet_length(hash) = 32),
    recorded_at TIMESTAMPTZ
);

INSERT INTO log_head (singleton, position, hash, recorded_at)
VALUES (TRUE, 0, decode(repeat('00', 32), 'hex'), NULL);
