-- 0013: exposed-key revocation (issue 15).
--
-- exposed_at: when the key was revoked because someone reported its value as exposed (POST
-- /api/v1/credentials/revoke); set in the revocation's own transaction, with revoked_at at the
-- same time. NULL for every other key, revoked or not.
ALTER TABLE api_keys ADD COLUMN exposed_at BIGINT;
-- GET /api/session lists an account's keys reported in the last 30 days: only reported keys
-- are indexed, so the index stays as small as the reports.
CREATE INDEX api_keys_exposed ON api_keys (account_id, exposed_at) WHERE exposed_at IS NOT NULL;
