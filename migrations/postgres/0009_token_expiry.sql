-- Every API token expires: a year after its creation unless `token create --expires` says
-- otherwise. Tokens created before expiries existed get the year too. Same text format as
-- `created_at` (RFC 3339, UTC, microseconds).
ALTER TABLE api_tokens ADD COLUMN expires_at TEXT;
UPDATE api_tokens
SET expires_at = to_char((created_at::timestamptz + interval '1 year') AT TIME ZONE 'UTC',
                         'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')
WHERE expires_at IS NULL;
CREATE INDEX api_tokens_member ON api_tokens (member_id);
