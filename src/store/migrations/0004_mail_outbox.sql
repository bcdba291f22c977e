-- 0004: outbound mail (issue 12). A change that sends mail queues it here in its own
-- transaction (SqlStore's InsertEvent), so the change and its mails commit together or not at
-- all; MailSender (src/mail/) sends it in the background. A sender claims a mail by setting
-- claimed_until (a lease: no other node takes it before then), counts the attempt, and then
-- either marks it sent (forgetting text and html, which may hold a single-use link token),
-- sets the next attempt (back-off) or, after days of failures, marks it failed.

CREATE TABLE mail_outbox (
  id {{SEQ_PK}},
  recipient TEXT NOT NULL,
  subject TEXT NOT NULL,
  text TEXT NOT NULL,  -- '' once sent or failed
  html TEXT NOT NULL,  -- '' once sent or failed
  created_at BIGINT NOT NULL,
  attempts BIGINT NOT NULL,  -- claims so far
  next_attempt_at BIGINT NOT NULL,
  claimed_until BIGINT,  -- a sender's lease; NULL when none
  sent_at BIGINT,
  failed_at BIGINT,  -- given up
  last_error TEXT  -- the SMTP server's reply or the transport's error; never a secret
);
-- What a sender's poll reads: the mails still to send, by when they are due.
CREATE INDEX mail_outbox_due ON mail_outbox (next_attempt_at)
  WHERE sent_at IS NULL AND failed_at IS NULL;

-- The expiry notices queued: one row per key, notice ('expires_7d', 'expires_1d') and
-- expiration, inserted with the mail in one transaction. Every node runs the periodic job; the
-- primary key makes it send each notice once (ON CONFLICT DO NOTHING: mail only if inserted).
-- A key given a new expiration (rotation) gets its notices again for that date.
CREATE TABLE key_notices (
  key_id TEXT NOT NULL REFERENCES api_keys (id) ON DELETE CASCADE,
  kind TEXT NOT NULL,
  expires_at BIGINT NOT NULL,
  queued_at BIGINT NOT NULL,
  PRIMARY KEY (key_id, kind, expires_at)
);
-- The job's read: unrevoked keys by expiration.
CREATE INDEX api_keys_expires_at ON api_keys (expires_at) WHERE revoked_at IS NULL;
