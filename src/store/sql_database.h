#ifndef TFZO_STORE_SQL_DATABASE_H_
#define TFZO_STORE_SQL_DATABASE_H_

// What SqlStore needs from an SQL engine, and nothing more: it writes every Store method once
// over statements.h, and the engines (SqliteDatabase, PostgresDatabase) keep only what truly
// differs between them.

#include <functional>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/result.h"
#include "model/store.h"
#include "store/sql_rows.h"

namespace tfzo {

// One database connection, lent by SqlDatabase::Run for the length of one body. Not
// thread-safe: one body uses it at a time.
class SqlConnection {
 public:
  virtual ~SqlConnection() = default;

  // Runs `sql` with `params` bound to $1, $2, ... and returns all its rows. `sql` is static
  // text in PostgreSQL's syntax (statements.h); the engine translates it. Errors carry the
  // Store's codes (store.h): a unique violation kConflict (kEmailTaken on accounts.email), a
  // foreign key violation kNotFound, an unreachable or busy database kUnavailable, anything
  // else kInternal. Messages carry no parameter values.
  Result<SqlRows> Exec(const char* sql, SqlParams params) {
    return ExecUpTo(sql, params, std::numeric_limits<int>::max());
  }

  // Exec that may stop reading after `max_rows` rows: SQLite then does not step a lookup by
  // key to its end (on the hot path, FindKeyBySecret).
  virtual Result<SqlRows> ExecUpTo(const char* sql, SqlParams params, int max_rows) = 0;

  // Exec for a write whose rows and count the body does not read (an INSERT, say): inside a
  // kWrite body an engine may hold it back and send it with the body's next statement, or with
  // the commit, in one round trip (PostgreSQL). Its error then comes from that statement or
  // from the commit instead: the transaction fails all the same.
  virtual Status Send(const char* sql, SqlParams params) { return Exec(sql, params).status(); }

  // Exec for a read whose rows the body needs only after its next Exec: inside a kWrite body an
  // engine may hold it back and send it with that Exec in one round trip (PostgreSQL), setting
  // `rows` before that Exec returns. For the checks of a write that do not depend on one
  // another (a lock, a count, another lock): they go out together, in order, and are judged
  // together. Its error then comes from that Exec.
  virtual Status ExecLater(const char* sql, SqlParams params, std::optional<SqlRows>& rows) {
    ASSIGN_OR_RETURN(SqlRows read, Exec(sql, params));
    rows = std::move(read);
    return Status::Ok();
  }
};

// An SQL engine under SqlStore: its connections, transactions and locking, how other nodes hear
// of a change, and the one statement that differs by more than syntax. Owned by its SqlStore;
// not copyable. Implementations are thread-safe.
class SqlDatabase {
 public:
  enum class Mode {
    kRead,   // reads only; each statement sees what was committed before it
    kWrite,  // one transaction: the body's writes commit together or not at all
  };
  using Body = std::function<Status(SqlConnection&)>;
  using KeyUses = Store::KeyUses;

  SqlDatabase() = default;
  SqlDatabase(const SqlDatabase&) = delete;
  SqlDatabase& operator=(const SqlDatabase&) = delete;
  virtual ~SqlDatabase() = default;

  // Runs `body` on a connection, as `mode` says; a failed kWrite body is rolled back. Returns
  // the body's Status, or the error that kept it from running or committing. The body may run
  // twice (PostgreSQL, when its connection broke before anything could have been committed):
  // it must not keep state from a failed run.
  virtual Status Run(Mode mode, const Body& body) = 0;

  // Inside a kWrite body: sets each key's last_used_at to its time where that is later (it
  // never moves back), skipping unknown keys.
  virtual Status RecordKeyUses(SqlConnection& conn, const KeyUses& uses) = 0;

  // Starts hearing the changes other nodes commit and hands each to `publish` (on any thread),
  // in the order of the change log, until this database is destroyed. Called once, by
  // SqlStore::Open. The default, for an engine with no other nodes to hear (SQLite), does
  // nothing.
  virtual Status Listen(ChangeListener publish);

  // Whether this node has heard every change committed so far (see Freshness). The default, for
  // an engine with no other nodes to hear, is always current.
  virtual Freshness freshness() const { return Freshness{}; }

  // Inside a kWrite body that changes `change`: arranges for other nodes to hear it once the
  // transaction commits (this node publishes it itself, after commit). The default, for an
  // engine with no other nodes to tell, does nothing.
  virtual Status Notify(SqlConnection& conn, const Change& change);

  // A periodic job's run (Store::RunJob): runs `claim` (which records the run when it is due,
  // answering whether it did) and, when it answers true, `work`, so that of several nodes no
  // two run the job `job` at once. The default, for an engine with no other nodes (SQLite; on
  // one node each job has one thread): `claim` in one kWrite, then `work`.
  using Claim = std::function<Result<bool>(SqlConnection&)>;
  virtual Result<bool> RunJob(std::string_view job, const Claim& claim,
                              const std::function<void()>& work);
};

inline Status SqlDatabase::Listen(ChangeListener) { return Status::Ok(); }
inline Status SqlDatabase::Notify(SqlConnection&, const Change&) { return Status::Ok(); }
inline Result<bool> SqlDatabase::RunJob(std::string_view, const Claim& claim,
                                        const std::function<void()>& work) {
  bool claimed = false;
  RETURN_IF_ERROR(Run(Mode::kWrite, [&](SqlConnection& conn) -> Status {
    ASSIGN_OR_RETURN(claimed, claim(conn));
    return Status::Ok();
  }));
  if (claimed) work();
  return claimed;
}

}  // namespace tfzo

#endif  // TFZO_STORE_SQL_DATABASE_H_
