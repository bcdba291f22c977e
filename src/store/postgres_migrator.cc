#include "store/postgres_migrator.h"

#include <chrono>
#include <string>

#include "core/time.h"

namespace tfzo {
namespace {

// Any fixed number shared by every node: the key of the migrations' advisory lock.
constexpr char kLockKey[] = "2501250125";

Status Annotate(const Status& s, const std::string& what) {
  return Status(s.code(), "migration: " + what + ": " + s.message());
}

// Waiting for another node's migration, or rewriting a large table, may take far longer than
// the deadline of a request's statement: migrations run at start, before anything is served.
constexpr std::chrono::hours kMigrationDeadline(1);

// Runs `body` in one transaction holding the migrations' advisory lock, without the
// connection's statement timeout.
template <typename Body>
Status Locked(PgConnection& conn, const std::string& what, Body&& body) {
  const auto deadline = std::chrono::steady_clock::now() + kMigrationDeadline;
  Status s = conn.Exec("BEGIN").status();
  if (s.ok()) s = conn.Exec("SET LOCAL statement_timeout = 0").status();
  if (s.ok()) {
    s = conn.Exec("SELECT pg_advisory_xact_lock($1::bigint)", {kLockKey}, deadline).status();
  }
  if (s.ok()) s = body();
  if (s.ok()) s = conn.Exec("COMMIT").status();
  if (!s.ok()) {
    if (!conn.broken()) (void)conn.Exec("ROLLBACK");
    return Annotate(s, what);
  }
  return Status::Ok();
}

}  // namespace

Status ApplyPostgresMigrations(PgConnection& conn, const std::vector<Migration>& migrations) {
  RETURN_IF_ERROR(Locked(conn, "create schema_migrations", [&] {
    return conn
        .Exec(
            "CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT NOT NULL PRIMARY KEY, "
            "name TEXT NOT NULL, applied_at BIGINT NOT NULL)")
        .status();
  }));
  for (const Migration& m : migrations) {
    RETURN_IF_ERROR(Locked(conn, m.name, [&]() -> Status {
      ASSIGN_OR_RETURN(
          PgResult applied,
          conn.Exec("SELECT 1 FROM schema_migrations WHERE version = $1", {PgInt(m.version)}));
      if (applied.rows() > 0) return Status::Ok();
      RETURN_IF_ERROR(conn.ExecScript(m.sql));
      return conn
          .Exec("INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)",
                {PgInt(m.version), PgText(m.name), PgTime(SystemClock().Now())})
          .status();
    }));
  }
  return Status::Ok();
}

}  // namespace tfzo
