-- 0007: sessions people can see and end, password resets, account deletion (issue 13).
--
-- A session gets a public id (random, neither its token nor the token's digest: it names the
-- session in GET /api/sessions and DELETE /api/sessions/{id}), and the client address and
-- User-Agent it was started from (bounded and sanitized by the service). The sessions of
-- before this migration have none of these and no way to get them (an id must be random, and
-- SQL has no random function both engines share): they are ended, and people sign in again.
DELETE FROM sessions;
ALTER TABLE sessions ADD COLUMN id TEXT NOT NULL DEFAULT '';
ALTER TABLE sessions ADD COLUMN ip TEXT NOT NULL DEFAULT '';
ALTER TABLE sessions ADD COLUMN user_agent TEXT NOT NULL DEFAULT '';
CREATE UNIQUE INDEX sessions_id ON sessions (id);

-- A deleted account keeps its row, so that the audit events naming it still do and its revoked
-- keys stay revoked (key_revoked, not key_invalid); its address becomes `<id>@deleted`, free
-- for a new sign-up, and its name and password hash are cleared. account_tokens gains the
-- purpose 'reset_password' (no schema change: purpose is free text).
ALTER TABLE accounts ADD COLUMN deleted_at BIGINT;  -- NULL: not deleted
