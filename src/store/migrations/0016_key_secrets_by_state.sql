-- 0016: lookups that stay small however many keys and values an account has had (issue 19).
--
-- A rotation ends the overlap of the value it replaced (revoked_at > now) and revokes the
-- current one (revoked_at IS NULL): with an index on key_id alone each read every secret the key
-- ever had, so a key rotated often (automation rotating hourly) made each rotation slower. This
-- index finds them at once and serves every lookup the old one did.
CREATE INDEX key_secrets_key_revoked ON key_secrets (key_id, revoked_at);
DROP INDEX key_secrets_key_id;
-- The quota check of a key's creation counts the account's active keys (--max-active-keys,
-- 1000 by default): through this index it reads the keys not revoked only, not every key the
-- account ever made.
CREATE INDEX api_keys_account_live ON api_keys (account_id, expires_at) WHERE revoked_at IS NULL;
