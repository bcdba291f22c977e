-- The keys list pages on (created_at, seq) newest first (keyset paging, docs/spec/API.md
-- "GET /api/keys"): these indexes serve both the order and the cursor's bound, per account and
-- per organization. They replace the (owner, created_at) indexes of 0001, their prefixes.
CREATE INDEX api_keys_account_page ON api_keys (account_id, created_at, seq);
CREATE INDEX api_keys_org_page ON api_keys (org_id, created_at, seq);
DROP INDEX api_keys_account_id;
DROP INDEX api_keys_org_id;
