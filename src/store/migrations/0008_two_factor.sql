-- 0008: two-factor sign-in with TOTP, and organizations that require it (issue 13).
--
-- totp_secret is the account's TOTP secret, base32 (RFC 4648), as the server needs it to check
-- codes: secret material at rest (SECURITY.md), never shown again after setup. It is pending
-- from setup until a code proves the person's app has it (totp_enabled_at set), then active
-- until two-factor is turned off (all three cleared). totp_last_step is the newest time step
-- whose code was accepted: a code is accepted only for a later step, so none is used twice.
ALTER TABLE accounts ADD COLUMN totp_secret TEXT;
ALTER TABLE accounts ADD COLUMN totp_enabled_at BIGINT;
ALTER TABLE accounts ADD COLUMN totp_last_step BIGINT NOT NULL DEFAULT 0;

-- Recovery codes, shown once when two-factor is turned on: only their SHA-256 is stored, and
-- each is used at most once (used_at). Replaced as a set each time two-factor is turned on.
CREATE TABLE recovery_codes (
  account_id TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  digest TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  used_at BIGINT,
  PRIMARY KEY (account_id, digest)
);

-- 1: members without two-factor on cannot open the organization's console pages, and their
-- keys are refused on it (two_factor_required). 0 or 1 (the same SQL on both engines).
ALTER TABLE orgs ADD COLUMN require_two_factor INTEGER NOT NULL DEFAULT 0;
