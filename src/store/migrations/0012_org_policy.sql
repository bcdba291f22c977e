-- 0012: organization key policy (issue 15). An organization's owners set rules for the keys
-- scoped to it and for its service accounts' keys (docs/spec/API.md "Organization key
-- policy"). One row per organization that has set a policy; no row is no rule. A NULL column is
-- no rule of that kind.
CREATE TABLE org_policies (
  org_id TEXT PRIMARY KEY REFERENCES orgs (id) ON DELETE CASCADE,
  max_lifetime_days INTEGER,         -- a key expires at most this long after creation or rotation
  require_expiration INTEGER NOT NULL DEFAULT 0,  -- 1: a key must have an expiration
  rotate_every_days INTEGER,         -- refused (rotation_overdue) this long after creation or rotation
  revoke_unused_after_days INTEGER,  -- the periodic job revokes keys unused this long
  allowed_permissions TEXT,          -- as api_keys.permissions; NULL: every permission
  updated_at BIGINT NOT NULL,
  updated_by TEXT NOT NULL           -- the owner's account id
);
