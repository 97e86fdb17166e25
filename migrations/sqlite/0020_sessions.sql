-- Sessions of the dashboard: `POST /session` checks an API token and answers with a cookie
-- naming a new session; the cookie, not the token, then goes with each request of the browser.
-- Only a SHA-256 hash of the session's id is kept, as for tokens: a copy of the database gives
-- nobody a working cookie. A session works only while its token is in force (revoking the token
-- ends its sessions), until `expires_at` (never past the token's expiry) and while it is used
-- (`last_seen_at`, moved at most once a minute). Same text format as `api_tokens`' times
-- (RFC 3339, UTC, microseconds).
CREATE TABLE api_sessions (
    session_hash  TEXT NOT NULL PRIMARY KEY,
    token_id      TEXT NOT NULL,
    created_at    TEXT NOT NULL,
    last_seen_at  TEXT NOT NULL,
    expires_at    TEXT NOT NULL
);
CREATE INDEX api_sessions_token ON api_sessions (token_id);
CREATE INDEX api_sessions_expiry ON api_sessions (expires_at);
