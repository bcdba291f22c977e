-- 0005: organizations get a handle (issue 12) and can be deleted.
--
-- handle: globally unique among live organizations, [a-z0-9](-?[a-z0-9])*, at most 39
-- characters; what the CLI and scripts name an organization by (the display name stays free
-- text). Existing organizations get one derived from their id ("org_2NxRg..." becomes
-- "org-2nxrg..."): deriving it from the name would need regular expressions (to turn every
-- other character into '-') that SQLite lacks, so it could not be the same SQL on both
-- engines. Owners rename it (PATCH /api/orgs/{org}). Ids are 22 random base62 characters, so
-- two of them equal once lower-cased is out of reach.
--
-- deleted_at: a deleted organization keeps its row, so that the keys that were scoped to it
-- (revoked, and kept for their owners' history) still name it; its members, agents and hosts
-- are gone, and its handle is free again: the unique index covers live organizations only.

ALTER TABLE orgs ADD COLUMN handle TEXT NOT NULL DEFAULT '';
ALTER TABLE orgs ADD COLUMN deleted_at BIGINT;
UPDATE orgs SET handle = replace(lower(id), '_', '-');
CREATE UNIQUE INDEX orgs_handle ON orgs (handle) WHERE deleted_at IS NULL;
