-- 0010: service accounts (issue 14): accounts for shared automation that belong to one
-- organization rather than a person, so that their keys survive any member's departure.
--
-- A service account is a row of `accounts` (its name there; its email ServiceAccountEmail(id),
-- an address nobody can type; an empty password hash, which no password matches: it never
-- signs in) plus this row. Its keys are api_keys rows whose account_id is its id and whose
-- org_id is its organization. It is a member of no organization in `memberships`: the store
-- answers its one membership (its org, role member) from this row. A deleted one keeps its
-- rows (deleted_at set), so that its revoked keys and audit events still name it.
CREATE TABLE service_accounts (
  seq {{SEQ_PK}},  -- creation order within an organization
  id TEXT NOT NULL UNIQUE REFERENCES accounts (id) ON DELETE CASCADE,
  org_id TEXT NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
  description TEXT NOT NULL,
  created_by TEXT NOT NULL,  -- the owner's account id (no foreign key: it may be deleted)
  created_at BIGINT NOT NULL,
  deleted_at BIGINT  -- NULL: live
);
CREATE INDEX service_accounts_org_id ON service_accounts (org_id, seq);
