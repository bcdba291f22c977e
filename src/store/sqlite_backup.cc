#include "store/sqlite_backup.h"

#include <fcntl.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <memory>
#include <thread>

namespace tfzo {
namespace {

namespace fs = std::filesystem;

struct SqliteCloser {
  void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};
using SqliteDb = std::unique_ptr<sqlite3, SqliteCloser>;

Status SqliteFail(sqlite3* db, const std::string& what) {
  return Internal(what + ": " + (db ? sqlite3_errmsg(db) : "out of memory"));
}

Status Errno(const std::string& what) { return Internal(what + ": " + std::strerror(errno)); }

Result<SqliteDb> Open(const std::string& path, int flags) {
  sqlite3* raw = nullptr;
  const int rc = sqlite3_open_v2(path.c_str(), &raw, flags, nullptr);
  SqliteDb db(raw);
  if (rc != SQLITE_OK) return SqliteFail(raw, "open " + path);
  sqlite3_busy_timeout(raw, 5000);
  return db;
}

Status Exec(sqlite3* db, const char* sql, const std::string& what) {
  if (sqlite3_exec(db, sql, nullptr, nullptr, nullptr) != SQLITE_OK) return SqliteFail(db, what);
  return Status::Ok();
}

// The whole database in one step: one read snapshot of the source. In WAL mode the server's
// writers go on meanwhile; a step that finds the source busy is tried again.
Status CopyPages(sqlite3* src, sqlite3* dst) {
  sqlite3_backup* backup = sqlite3_backup_init(dst, "main", src, "main");
  if (backup == nullptr) return SqliteFail(dst, "backup");
  int rc;
  while ((rc = sqlite3_backup_step(backup, -1)) == SQLITE_BUSY || rc == SQLITE_LOCKED) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  const int finish = sqlite3_backup_finish(backup);
  if (rc != SQLITE_DONE || finish != SQLITE_OK) return SqliteFail(dst, "backup");
  return Status::Ok();
}

// A self-contained file (no -wal beside it), checked, and its schema version.
Result<int> Finish(sqlite3* dst) {
  RETURN_IF_ERROR(Exec(dst, "PRAGMA journal_mode = DELETE", "backup: journal mode"));
  sqlite3_stmt* raw = nullptr;
  if (sqlite3_prepare_v2(dst, "PRAGMA integrity_check", -1, &raw, nullptr) != SQLITE_OK) {
    return SqliteFail(dst, "backup: integrity_check");
  }
  std::string verdict;
  if (sqlite3_step(raw) == SQLITE_ROW) {
    const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(raw, 0));
    verdict = text ? text : "";
  }
  sqlite3_finalize(raw);
  if (verdict != "ok") return Internal("backup: the copy fails PRAGMA integrity_check");
  if (sqlite3_prepare_v2(dst, "SELECT max(version) FROM schema_migrations", -1, &raw, nullptr) !=
      SQLITE_OK) {
    return InvalidRequest("--db: no schema_migrations table: not a 2501-accounts database");
  }
  int version = 0;
  if (sqlite3_step(raw) == SQLITE_ROW) version = sqlite3_column_int(raw, 0);
  sqlite3_finalize(raw);
  return version;
}

Status SyncPath(const std::string& path, int flags) {
  const int fd = ::open(path.c_str(), flags | O_CLOEXEC);
  if (fd < 0) return Errno("backup: open " + path);
  const int rc = ::fsync(fd);
  ::close(fd);
  if (rc != 0) return Errno("backup: fsync " + path);
  return Status::Ok();
}

// The temporary file (and the journal files SQLite may leave beside it), removed unless kept.
// Owned by one BackupSqlite call; not thread-safe.
class TempFile {
 public:
  explicit TempFile(std::string path) : path_(std::move(path)) {}
  ~TempFile() {
    if (keep_) return;
    ::unlink(path_.c_str());
    for (const char* suffix : {"-journal", "-wal", "-shm"}) ::unlink((path_ + suffix).c_str());
  }
  const std::string& path() const { return path_; }
  void Keep() { keep_ = true; }

 private:
  std::string path_;
  bool keep_ = false;
};

}  // namespace

Result<SqliteBackup> BackupSqlite(const std::string& from, const std::string& to, bool force) {
  std::error_code ec;
  if (from == ":memory:" || !fs::is_regular_file(from, ec)) {
    return InvalidRequest("--db: no SQLite database file at " + from);
  }
  if (to.empty()) return InvalidRequest("--to: a file name is needed");
  if (!force && fs::exists(fs::symlink_status(to, ec))) {
    return Conflict("--to: " + to + " exists; --force replaces it");
  }
  if (fs::is_directory(to, ec)) return InvalidRequest("--to: " + to + " is a directory");
  const fs::path target(to);
  const fs::path dir = target.has_parent_path() ? target.parent_path() : fs::path(".");
  if (!fs::is_directory(dir, ec)) return InvalidRequest("--to: no directory " + dir.string());
  if (fs::equivalent(from, to, ec)) return InvalidRequest("--to: the database itself");

  // In the target's directory, so the rename below stays within one file system.
  std::string pattern = (dir / ("." + target.filename().string() + ".tmp-XXXXXX")).string();
  const int fd = ::mkstemp(pattern.data());  // mode 0600
  if (fd < 0) return Errno("--to: create a file in " + dir.string());
  ::fchmod(fd, 0600);
  ::close(fd);
  TempFile temp(pattern);

  int version = 0;
  {
    ASSIGN_OR_RETURN(SqliteDb src, Open(from, SQLITE_OPEN_READONLY));
    ASSIGN_OR_RETURN(SqliteDb dst, Open(temp.path(), SQLITE_OPEN_READWRITE));
    RETURN_IF_ERROR(CopyPages(src.get(), dst.get()));
    ASSIGN_OR_RETURN(version, Finish(dst.get()));
  }
  RETURN_IF_ERROR(SyncPath(temp.path(), O_RDONLY));
  // RENAME_NOREPLACE: a file that appeared at `to` meanwhile is kept all the same.
  if (::renameat2(AT_FDCWD, temp.path().c_str(), AT_FDCWD, to.c_str(),
                  force ? 0 : RENAME_NOREPLACE) != 0) {
    if (errno == EEXIST) return Conflict("--to: " + to + " exists; --force replaces it");
    return Errno("--to: rename into " + to);
  }
  temp.Keep();
  RETURN_IF_ERROR(SyncPath(dir.string(), O_RDONLY | O_DIRECTORY));
  SqliteBackup out;
  out.bytes = fs::file_size(to, ec);
  out.schema_version = version;
  return out;
}

}  // namespace tfzo
