-- 0015: device authorization (issue 16; RFC 8628, docs/spec/API.md "Device authorization").
--
-- One row per request a CLI starts with POST /api/v1/device/code. Both codes are stored as
-- their SHA-256 only (lower-case hex, like account_tokens.digest): the device code is known to
-- the CLI alone, the user code to the person who types it in the console. A request is pending
-- until someone approves or denies it, or until expires_at (15 minutes). Approving mints the
-- key at once; its value waits in sealed_secret, sealed to the request's own public key
-- (crypto_box_seal), whose private key is kept only encrypted with a key derived from the
-- device code (which the server does not keep): a copy of this table opens nothing. The CLI's
-- next poll takes it: then the row is 'used' and sealed_secret is NULL. Rows are deleted once
-- expired (at the next new request).
CREATE TABLE device_codes (
  device_digest TEXT NOT NULL PRIMARY KEY,
  user_digest TEXT NOT NULL UNIQUE,
  client_name TEXT NOT NULL,
  hostname TEXT NOT NULL,
  ip TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL,
  interval_seconds BIGINT NOT NULL,  -- grows by 5 at each poll that came too soon
  last_poll_at BIGINT,
  status TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'denied', 'used')),
  account_id TEXT REFERENCES accounts (id) ON DELETE CASCADE,  -- who approved or denied
  key_id TEXT,         -- the key the approval minted
  public_key TEXT NOT NULL,          -- hex, X25519 (crypto_box)
  sealed_private_key TEXT NOT NULL,  -- hex: nonce and crypto_secretbox of its private key
  sealed_secret TEXT,                -- hex: crypto_box_seal of the key's value
  decided_at BIGINT
);
CREATE INDEX device_codes_expires_at ON device_codes (expires_at);
