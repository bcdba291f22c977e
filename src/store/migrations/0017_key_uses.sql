-- 0017: a key's last use in a narrow table of its own (issue 19).
--
-- The usage flush (UsageRecorder, every 2 s) writes one row for every key used since the last
-- flush. Kept in api_keys, each of those writes rewrote a whole key row (names, description,
-- permissions, allowed addresses) and its page in the WAL: 3.8 µs a row with 100,000 keys in
-- use. This table holds only the key's id and its last use, so a page holds a hundred of them
-- (1.2-1.7 µs a row, bench/RESULTS.md, 2026-12-03), and a key's own row changes only when the
-- key does (PostgreSQL: the flush locks these rows, never a key's). A key gets its row when it
-- is made (SqlStore::CreateKey), so the flush is an UPDATE; last_used_at is NULL until the
-- key's first use.
--
-- api_keys.last_used_at stays, read and written by no node of this version: a rollout on
-- PostgreSQL migrates first and then replaces the nodes one at a time (docs/deployment.md), and
-- until then the nodes of the previous version read and write it. A key such a node makes has
-- no key_uses row: PostgreSQL's flush is an upsert and inserts it at the key's first use.
-- (SQLite has one node: its keys all come from this version once it has migrated.) A later
-- migration drops the column.
CREATE TABLE key_uses (
  key_id TEXT NOT NULL PRIMARY KEY REFERENCES api_keys (id) ON DELETE CASCADE,
  last_used_at BIGINT
){{WITHOUT_ROWID}};
INSERT INTO key_uses (key_id, last_used_at) SELECT id, last_used_at FROM api_keys;
