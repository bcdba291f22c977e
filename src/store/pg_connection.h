#ifndef TFZO_STORE_PG_CONNECTION_H_
#define TFZO_STORE_PG_CONNECTION_H_

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/result.h"
#include "core/time.h"

struct pg_conn;
struct pg_result;

namespace tfzo {

// One parameter of a parameterized statement, in libpq's text format; nullopt is SQL NULL.
using PgParam = std::optional<std::string>;
inline PgParam PgText(std::string_view v) { return std::string(v); }
inline PgParam PgInt(int64_t v) { return std::to_string(v); }
inline PgParam PgTime(Time t) { return PgInt(ToUnix(t)); }
inline PgParam PgOptText(const std::optional<std::string>& v) { return v; }
inline PgParam PgOptTime(const std::optional<Time>& t) {
  return t ? PgTime(*t) : PgParam(std::nullopt);
}

// The rows of one successful command (text format). Owns the PGresult; move-only value.
class PgResult {
 public:
  explicit PgResult(pg_result* res) : res_(res) {}
  PgResult(PgResult&& other) noexcept;
  PgResult& operator=(PgResult&& other) noexcept;
  PgResult(const PgResult&) = delete;
  PgResult& operator=(const PgResult&) = delete;
  ~PgResult();

  int rows() const;
  int columns() const;
  std::string ColumnName(int col) const;  // as the statement names it (AS)
  int64_t affected() const;               // rows changed by INSERT/UPDATE/DELETE
  bool IsNull(int row, int col) const;
  std::string Text(int row, int col) const;
  int64_t Int(int row, int col) const;
  Time TimeAt(int row, int col) const { return FromUnix(Int(row, col)); }
  std::optional<std::string> OptText(int row, int col) const;
  std::optional<Time> OptTime(int row, int col) const;

 private:
  pg_result* res_;
};

// One libpq connection to PostgreSQL. Owned by a pool slot (PostgresDatabase) or by the listener
// thread; not thread-safe: one user at a time. Errors map to the Store's codes: unique
// violation kConflict (kEmailTaken on accounts.email), foreign key violation kNotFound, a lost
// connection or a database shutting down kUnavailable, anything else kInternal. Messages carry
// neither the connection URL nor statement values.
//
// Deadlines: connecting and every statement wait at most until a deadline, measured here, on
// the client, so that a database that stops answering (frozen, partitioned) costs a caller a
// bounded wait and a kUnavailable, never a hang. The server's own statement_timeout is set to
// the same length, so a statement stuck on a lock is cancelled by the server first. A
// connection whose statement ran out of time is in an unknown state: it counts as broken.
class PgConnection {
 public:
  using Deadline = std::chrono::steady_clock::time_point;

  // Connects to `url` (postgresql://...), giving up at `timeout`, which also becomes the
  // default deadline of each statement (Exec). kUnavailable when the server cannot be reached
  // in time. `application_name` names the connection in pg_stat_activity unless the URL does.
  static Result<std::unique_ptr<PgConnection>> Connect(
      const std::string& url, std::chrono::milliseconds timeout,
      const char* application_name = "2501-accounts");

  ~PgConnection();
  PgConnection(const PgConnection&) = delete;
  PgConnection& operator=(const PgConnection&) = delete;

  // Runs one statement with `params` bound to $1, $2, ..., waiting for its answer until
  // `deadline` (by default, the connection's timeout from now).
  Result<PgResult> Exec(const char* sql, const std::vector<PgParam>& params, Deadline deadline);
  Result<PgResult> Exec(const char* sql, const std::vector<PgParam>& params = {}) {
    return Exec(sql, params, DefaultDeadline());
  }
  // Exec for a statement whose text is static (a constant of statements.h): prepared on this
  // connection at its first use, named by its address, and only bound and run afterwards, so
  // the server parses and plans it once per connection.
  Result<PgResult> ExecPrepared(const char* sql, const std::vector<PgParam>& params,
                                Deadline deadline);
  // One statement of a pipeline (ExecPipeline). `sql` is static text, prepared on this
  // connection at its first use like ExecPrepared's, unless `prepare` is false (BEGIN, COMMIT).
  struct Statement {
    const char* sql;
    std::vector<PgParam> params;
    bool prepare = true;
  };
  // Sends `statements` together (libpq's pipeline mode: one round trip for all of them rather
  // than one each) and waits for every answer until `deadline`. Returns each statement's rows,
  // in order, or the first error: the server skips what follows a failed statement.
  Result<std::vector<PgResult>> ExecPipeline(std::span<const Statement> statements,
                                             Deadline deadline);
  // Runs a script of several statements without parameters (migrations, at start), with no
  // deadline: a migration may rewrite a large table.
  Status ExecScript(const std::string& sql);

  // The deadline of a statement started now.
  Deadline DefaultDeadline() const { return std::chrono::steady_clock::now() + timeout_; }

  // True once the connection is known to be lost (or a statement ran out of time); Reset()
  // then reconnects, giving up at `deadline`.
  bool broken() const;
  Status Reset(Deadline deadline);
  // The server process id of this connection's backend, as of the last (re)connection. May be
  // read from any thread.
  int backend_pid() const { return pid_.load(std::memory_order_relaxed); }
  pg_conn* raw() { return conn_; }

 private:
  PgConnection(pg_conn* conn, std::string url, std::chrono::milliseconds timeout);
  Status ErrorOf(pg_result* res) const;
  // Waits until the socket is ready for `events` and reads what arrived, until `deadline`;
  // either failing leaves the connection unusable.
  Status WaitAndRead(short events, Deadline deadline);
  // Sends what libpq buffered, until `deadline`.
  Status Flush(Deadline deadline);
  // Waits until libpq holds a whole result to return, until `deadline`.
  Status AwaitResult(Deadline deadline);
  // Sends what libpq buffered and waits for the whole answer, until `deadline`.
  Result<PgResult> Await(Deadline deadline);
  // The name `sql` is prepared under on this connection, or nullptr.
  const std::string* PreparedName(const char* sql) const;
  // A name for a statement prepared now.
  std::string NextName();

  pg_conn* conn_;
  std::unordered_map<const char*, std::string> prepared_;  // statement names, by text address
  int next_name_ = 0;                                      // of the next statement prepared
  const std::string url_;                                  // for Reset
  const std::chrono::milliseconds timeout_;
  bool unusable_ = false;  // an answer did not come in time, or reading it failed: reset it
  std::atomic<int> pid_{0};
};

}  // namespace tfzo

#endif  // TFZO_STORE_PG_CONNECTION_H_
