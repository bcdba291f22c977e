#ifndef TFZO_STORE_PG_CONNECTION_H_
#define TFZO_STORE_PG_CONNECTION_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
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
class PgConnection {
 public:
  // Connects to `url` (postgresql://...). kUnavailable when the server cannot be reached.
  static Result<std::unique_ptr<PgConnection>> Connect(const std::string& url);

  ~PgConnection();
  PgConnection(const PgConnection&) = delete;
  PgConnection& operator=(const PgConnection&) = delete;

  // Runs one statement with `params` bound to $1, $2, ...
  Result<PgResult> Exec(const char* sql, const std::vector<PgParam>& params = {});
  // Runs a script of several statements without parameters (migrations).
  Status ExecScript(const std::string& sql);

  // True once the connection is known to be lost; Reset() then reconnects.
  bool broken() const;
  Status Reset();
  // The server process id of this connection's backend, as of the last (re)connection. May be
  // read from any thread.
  int backend_pid() const { return pid_.load(std::memory_order_relaxed); }
  pg_conn* raw() { return conn_; }

 private:
  explicit PgConnection(pg_conn* conn);
  Status ErrorOf(pg_result* res) const;

  pg_conn* conn_;
  std::atomic<int> pid_{0};
};

}  // namespace tfzo

#endif  // TFZO_STORE_PG_CONNECTION_H_
