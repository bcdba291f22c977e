#ifndef TFZO_STORE_SQLITE_DATABASE_H_
#define TFZO_STORE_SQLITE_DATABASE_H_

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
class SqliteDatabase final : public SqlDatabase {
 public:
  // Opens `path` (":memory:" for a private in-memory database) and applies pending
  // migrations. A missing file is created with mode 0600, its missing directories with 0700.
  static Result<std::unique_ptr<SqliteDatabase>> Open(const std::string& path);

  ~SqliteDatabase() override;

  Status Run(Mode mode, const Body& body) override;
  // One UPDATE per key: the transaction holds the only write lock.
  Status RecordKeyUses(SqlConnection& conn, const KeyUses& uses) override;

 private:
  class Connection;

  explicit SqliteDatabase(std::unique_ptr<Connection> conn);

  std::mutex mu_;
  const std::unique_ptr<Connection> conn_;  // used under mu_
};

}  // namespace tfzo

#endif  // TFZO_STORE_SQLITE_DATABASE_H_
