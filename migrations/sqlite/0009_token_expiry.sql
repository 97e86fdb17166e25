-- Every API token expires: a year after its creation unless `token create --expires` says
-- otherwise. Tokens created before expiries existed get the year too. Same text format as
-- `created_at` (RFC 3339, UTC, microseconds).
ALTER TABLE api_tokens ADD COLUMN expires_at TEXT;
UPDATE api_tokens
SET expires_at = strftime('%Y-%m-%dT%H:%M:%f', created_at, '+1 year') || '000Z'
WHERE expires_at IS NULL;
CREATE INDEX api_tokens_member ON api_tokens (member_id);
