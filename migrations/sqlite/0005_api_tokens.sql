-- API tokens. Only a SHA-256 hash of each token is kept: the token itself is shown once, when
-- it is created, and cannot be recovered from the database. A revoked token stays listed.
CREATE TABLE api_tokens (
    token_id      TEXT NOT NULL PRIMARY KEY,
    secret_hash   TEXT NOT NULL UNIQUE,
    community_id  TEXT NOT NULL,
    role          TEXT NOT NULL,
    member_id     TEXT,
    label         TEXT NOT NULL,
    created_at    TEXT NOT NULL,
    revoked_at    TEXT
);
CREATE INDEX api_tokens_community ON api_tokens (community_id);
