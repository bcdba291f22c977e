-- 0001: the first schema of 2501 Accounts.
--
-- Shared by SqliteStore and PostgresStore, so it sticks to portable SQL: TEXT and BIGINT
-- columns only, times as BIGINT Unix seconds (UTC), digests as 64-character lower-case hex
-- TEXT (core/digest.h ToHex).
--
-- One placeholder, written SEQ_PK between double braces, is substituted per dialect by the
-- migration runner (store/migrations.cc): an auto-increment integer primary key that keeps
-- insertion order where several rows can share one created_at second.
--   SQLite:     INTEGER PRIMARY KEY AUTOINCREMENT
--   PostgreSQL: BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY
-- Tables that have it keep their public id as TEXT NOT NULL UNIQUE, which foreign keys use.

CREATE TABLE accounts (
  id TEXT NOT NULL PRIMARY KEY,
  email TEXT NOT NULL UNIQUE,  -- lower-cased by the store
  name TEXT NOT NULL,
  password_hash TEXT NOT NULL,
  created_at BIGINT NOT NULL
);

CREATE TABLE sessions (
  token_digest TEXT NOT NULL PRIMARY KEY,  -- SHA-256 of the cookie value
  account_id TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  csrf_token TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  last_seen_at BIGINT NOT NULL
);
CREATE INDEX sessions_account_id ON sessions (account_id);
CREATE INDEX sessions_last_seen_at ON sessions (last_seen_at);

CREATE TABLE orgs (
  seq {{SEQ_PK}},
  id TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL,
  created_at BIGINT NOT NULL
);

CREATE TABLE memberships (
  org_id TEXT NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
  account_id TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  role TEXT NOT NULL CHECK (role IN ('owner', 'member')),
  joined_at BIGINT NOT NULL,
  seq BIGINT NOT NULL,  -- join order (max + 1, assigned by the store in the same transaction)
  PRIMARY KEY (org_id, account_id)
);
CREATE INDEX memberships_account_id ON memberships (account_id, role);
CREATE INDEX memberships_org_seq ON memberships (org_id, seq);

CREATE TABLE api_keys (
  seq {{SEQ_PK}},
  id TEXT NOT NULL UNIQUE,
  account_id TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  description TEXT NOT NULL,
  hint TEXT NOT NULL,  -- of the current secret: "tfzo_...x9Qa"
  org_id TEXT REFERENCES orgs (id) ON DELETE CASCADE,  -- NULL: unscoped
  created_at BIGINT NOT NULL,
  expires_at BIGINT,  -- NULL: never
  last_used_at BIGINT,
  rotated_at BIGINT,
  revoked_at BIGINT
);
CREATE INDEX api_keys_account_id ON api_keys (account_id, created_at);
CREATE INDEX api_keys_org_id ON api_keys (org_id, created_at);

-- One row per secret a key ever had, so a rotated-away secret answers key_revoked.
CREATE TABLE key_secrets (
  digest TEXT NOT NULL PRIMARY KEY,  -- SHA-256 of the key value; the value is never stored
  key_id TEXT NOT NULL REFERENCES api_keys (id) ON DELETE CASCADE,
  hint TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  revoked_at BIGINT
);
CREATE INDEX key_secrets_key_id ON key_secrets (key_id);

CREATE TABLE hosts (
  seq {{SEQ_PK}},
  id TEXT NOT NULL UNIQUE,
  org_id TEXT NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  address TEXT NOT NULL,
  created_at BIGINT NOT NULL
);
CREATE INDEX hosts_org_id ON hosts (org_id);

CREATE TABLE agents (
  seq {{SEQ_PK}},
  id TEXT NOT NULL UNIQUE,
  org_id TEXT NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  host_id TEXT REFERENCES hosts (id) ON DELETE SET NULL,
  created_at BIGINT NOT NULL
);
CREATE INDEX agents_org_id ON agents (org_id);
CREATE INDEX agents_host_id ON agents (host_id);

-- The audit log has no foreign keys: it outlives what it describes.
CREATE TABLE audit_events (
  seq {{SEQ_PK}},  -- the order of events; `before` paging compares it
  id TEXT NOT NULL UNIQUE,
  at BIGINT NOT NULL,
  action TEXT NOT NULL,
  actor_id TEXT,
  org_id TEXT,
  target_id TEXT NOT NULL,
  ip TEXT NOT NULL
);
CREATE INDEX audit_events_actor_id ON audit_events (actor_id, seq);
CREATE INDEX audit_events_org_id ON audit_events (org_id, seq);
