#include "store/sqlite_migrator.h"

#include <sqlite3.h>

#include <chrono>
#include <string>

#include "core/time.h"

namespace tfzo {
namespace {

Status Fail(sqlite3* db, const std::string& what) {
  return Internal("migration: " + what + ": " + sqlite3_errmsg(db));
}

Status Exec(sqlite3* db, const char* sql, const std::string& what) {
  char* err = nullptr;
  if (sqlite3_exec(db, sql, nullptr, nullptr, &err) != SQLITE_OK) {
    std::string message = "migration: " + what + ": " + (err ? err : "unknown error");
    sqlite3_free(err);
    return Internal(std::move(message));
  }
  return Status::Ok();
}

// Applies one migration unless already recorded; runs inside an open transaction.
Status ApplyOne(sqlite3* db, const Migration& m) {
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v2(db, "SELECT 1 FROM schema_migrations WHERE version = ?1", -1, &stmt,
                         nullptr) != SQLITE_OK) {
    return Fail(db, "read schema_migrations");
  }
  sqlite3_bind_int64(stmt, 1, m.version);
  const int rc = sqlite3_step(stmt);
  sqlite3_finalize(stmt);
  if (rc == SQLITE_ROW) return Status::Ok();
  if (rc != SQLITE_DONE) return Fail(db, "read schema_migrations");

  RETURN_IF_ERROR(Exec(db, m.sql.c_str(), m.name));

  if (sqlite3_prepare_v2(db,
                         "INSERT INTO schema_migrations (version, name, applied_at) "
                         "VALUES (?1, ?2, ?3)",
                         -1, &stmt, nullptr) != SQLITE_OK) {
    return Fail(db, "record " + m.name);
  }
  sqlite3_bind_int64(stmt, 1, m.version);
  sqlite3_bind_text(stmt, 2, m.name.c_str(), -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64(stmt, 3, ToUnix(SystemClock().Now()));
  const int irc = sqlite3_step(stmt);
  sqlite3_finalize(stmt);
  if (irc != SQLITE_DONE) return Fail(db, "record " + m.name);
  return Status::Ok();
}

}  // namespace

Status ApplySqliteMigrations(sqlite3* db, const std::vector<Migration>& migrations) {
  RETURN_IF_ERROR(Exec(db,
                       "CREATE TABLE IF NOT EXISTS schema_migrations ("
                       "version BIGINT NOT NULL PRIMARY KEY, name TEXT NOT NULL, "
                       "applied_at BIGINT NOT NULL)",
                       "create schema_migrations"));
  for (const Migration& m : migrations) {
    RETURN_IF_ERROR(Exec(db, "BEGIN IMMEDIATE", "begin " + m.name));
    Status s = ApplyOne(db, m);
    if (s.ok()) s = Exec(db, "COMMIT", "commit " + m.name);
    if (!s.ok()) {
      sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr);
      return s;
    }
  }
  return Status::Ok();
}

}  // namespace tfzo
