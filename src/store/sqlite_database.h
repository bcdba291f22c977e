#ifndef TFZO_STORE_SQLITE_DATABASE_H_
#define TFZO_STORE_SQLITE_DATABASE_H_

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>

#include "store/sql_database.h"

namespace tfzo {

// The embedded engine under SqlStore (the default): one SQLite file in WAL mode (or ":memory:"
// for tests), foreign keys on. Owned by its SqlStore. Thread-safe: one connection and its
// prepared statements behind one mutex, so Runs go one at a time, each kWrite in one BEGIN
// IMMEDIATE transaction; the hot path reads its in-memory cache, not this. Several processes
// may share the file (busy_timeout waits for the writer lock).
//
// Runs statements.h translated once per statement and cached prepared. SQLite has no channel
// between the processes that may share its file: there are no other nodes to hear or tell
// (SqlDatabase's default Listen and Notify).
//
// Checkpoints (copying the WAL back into the database file, with its fsyncs) run off the
// request path: SQLite's automatic checkpoint is off, and a commit that leaves the WAL past
// kCheckpointPages wakes a thread of this database's own, which checkpoints PASSIVE on its own
// connection, never holding the mutex above, so reads and writes go on meanwhile. Under writes
// without a pause those checkpoints never quite catch up (the WAL restarts from its beginning
// only once every frame is copied), so past kInlineCheckpointPages the committing writer
// checkpoints itself, as SQLite would have done at every kCheckpointPages: the background
// thread has copied most frames by then (when that thread is still at it, slowed by other I/O,
// the writer waits for it to end, so the WAL stays bounded whatever the disk does). That backstop
// is kept low because a long WAL slows every commit and read (measured, POST /api/keys/{id}/rotate
// one at a time: p99 1.3 ms with it at 2000 pages, 14 ms at 16 000; SQLite's own checkpoints in the
// commit: 8 ms). Durability is the WAL's either way: a commit is in the WAL before Run returns.
class SqliteDatabase final : public SqlDatabase {
 public:
  // WAL pages (of 4 KiB) past which the background thread checkpoints: SQLite's own default.
  static constexpr int kCheckpointPages = 1000;
  // WAL pages past which a commit checkpoints in the writer, as a backstop.
  static constexpr int kInlineCheckpointPages = 2 * kCheckpointPages;
  // The connection's page cache, at most (it grows as pages are read). SQLite's default,
  // 2 MiB, holds the keys table and id index of about 10,000 keys, so past that each usage
  // flush (a row for every key used since the last) reads most of its pages again, a pread(2)
  // each: 17 us a row for 10,000 keys of 100,000, 8.5 us with this, which holds those two of a
  // store of 100,000 keys (docs/DESIGN.md, "SQLite: commits and checkpoints").
  static constexpr int kPageCacheKiB = 32 * 1024;

  // Opens `path` (":memory:" for a private in-memory database) and applies pending
  // migrations. A missing file is created with mode 0600, its missing directories with 0700.
  static Result<std::unique_ptr<SqliteDatabase>> Open(const std::string& path);

  ~SqliteDatabase() override;

  Status Run(Mode mode, const Body& body) override;
  // Checkpoints the background thread has run (none for ":memory:").
  uint64_t background_checkpoints() const;
  // One UPDATE per key: the transaction holds the only write lock.
  Status RecordKeyUses(SqlConnection& conn, const KeyUses& uses) override;

 private:
  class Connection;
  class Checkpointer;

  SqliteDatabase(std::unique_ptr<Connection> conn, std::unique_ptr<Checkpointer> checkpointer);

  std::mutex mu_;
  const std::unique_ptr<Connection> conn_;  // used under mu_
  // Null for ":memory:". Destroyed first: its thread ends before the connection closes.
  const std::unique_ptr<Checkpointer> checkpointer_;
};

}  // namespace tfzo

#endif  // TFZO_STORE_SQLITE_DATABASE_H_
