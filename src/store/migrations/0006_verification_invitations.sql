-- 0006: verified addresses and invitations (issue 12).
--
-- An account's address is verified once a link mailed to it was followed. Accounts made
-- before this migration are unverified until they verify. While an address change waits for
-- its link, the new address is pending_email; the account keeps its old address until then.

ALTER TABLE accounts ADD COLUMN email_verified_at BIGINT;  -- NULL: not verified
ALTER TABLE accounts ADD COLUMN pending_email TEXT;        -- lower-cased; NULL: none

-- Single-use tokens mailed in links. Only the SHA-256 of a token is stored: the token itself
-- is in the mail and nowhere else. `purpose` says what a token proves ('verify_email': that
-- the account receives mail at `email`; 'claim_email': that someone about to sign up does),
-- so that later purposes (a password reset) share the table. A token is used at most once
-- (used_at) and never after expires_at.
CREATE TABLE account_tokens (
  digest TEXT NOT NULL PRIMARY KEY,
  purpose TEXT NOT NULL,
  account_id TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  email TEXT NOT NULL,  -- the address the token proves, lower-cased ('' when none)
  created_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL,
  used_at BIGINT
);
CREATE INDEX account_tokens_account_id ON account_tokens (account_id, purpose);

-- An invitation to join an organization, sent to an address (lower-cased), whether or not an
-- account has it. Pending while none of accepted_at, declined_at, canceled_at is set and
-- expires_at has not passed.
CREATE TABLE invitations (
  seq {{SEQ_PK}},
  id TEXT NOT NULL UNIQUE,
  org_id TEXT NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
  email TEXT NOT NULL,
  role TEXT NOT NULL CHECK (role IN ('owner', 'member')),
  invited_by TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  created_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL,
  accepted_at BIGINT,
  declined_at BIGINT,
  canceled_at BIGINT
);
CREATE INDEX invitations_org_id ON invitations (org_id, seq);
CREATE INDEX invitations_email ON invitations (email, seq);
