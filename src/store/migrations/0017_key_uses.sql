-- 0017: a key's last use in a narrow table of its own (issue 19).
--
-- The usage flush (UsageRecorder, every 2 s) writes one row for every key used since the last
-- flush. Kept in api_keys, each of those writes rewrote a whole key row (names, description,
-- permissions, allowed addresses) and its page in the WAL: 3.8 µs a row with 100,000 keys in
-- use. This table holds only the key's id and its last use, so a page holds a hundred of them
-- (1.2-1.7 µs a row, bench/RESULTS.md, 2026-12-03), and a key's own row changes only when the
-- key does (PostgreSQL: the flush locks these rows, never a key's). Every key has its row,
-- inserted with the key (SqlStore::InsertKey), so the flush is an UPDATE; last_used_at is NULL
-- until the key's first use.
CREATE TABLE key_uses (
  key_id TEXT NOT NULL PRIMARY KEY REFERENCES api_keys (id) ON DELETE CASCADE,
  last_used_at BIGINT
){{WITHOUT_ROWID}};
INSERT INTO key_uses (key_id, last_used_at) SELECT id, last_used_at FROM api_keys;
ALTER TABLE api_keys DROP COLUMN last_used_at;
