-- 0003: the change log (issue 19). Every committed change that state cached in memory must
-- drop (a key rotated, revoked or edited; a membership added or removed) gets the next
-- sequence number, in the same transaction. The single counter row is locked by the UPDATE
-- that takes a number, so numbers commit in order and without holes: a node that has applied
-- changes up to N and sees N + 2 knows it missed N + 1, and reads it here. Only the newest
-- changes are kept (SqlStore prunes older ones as it appends).

CREATE TABLE change_counter (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  seq BIGINT NOT NULL
);
INSERT INTO change_counter (id, seq) VALUES (1, 0);

CREATE TABLE changes (
  seq BIGINT PRIMARY KEY,
  kind TEXT NOT NULL,  -- 'key' (key_id) or 'membership' (org_id, account_id)
  key_id TEXT,
  org_id TEXT,
  account_id TEXT,
  at BIGINT NOT NULL
);
