#include "store/sqlite_database.h"

#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <filesystem>
#include <string>
#include <thread>
#include <unordered_map>
#include <utility>

#include "core/thread_name.h"
#include "store/migrations.h"
#include "store/sqlite_migrator.h"

namespace tfzo {
namespace {

constexpr int kBusyTimeoutMs = 5000;
// After a burst of writes the WAL file is cut back to this at its next restart (SQLite keeps
// it at its largest size otherwise).
constexpr int kWalSizeLimitBytes = 2 * SqliteDatabase::kCheckpointPages * 4096;

Status Unavailable(std::string message) {
  return Status(StatusCode::kUnavailable, std::move(message));
}

// Maps an SQLite result code to the Store's error codes. Messages name no values.
Status SqlError(sqlite3* db, int rc) {
  const std::string detail = sqlite3_errmsg(db);
  switch (rc & 0xff) {
    case SQLITE_CONSTRAINT:
      if (rc == SQLITE_CONSTRAINT_FOREIGNKEY) {
        return NotFound("the account, organization or host referred to does not exist");
      }
      if (rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT_PRIMARYKEY) {
        return Conflict("it already exists");
      }
      return Internal("sqlite: " + detail);
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
    case SQLITE_CANTOPEN:
    case SQLITE_IOERR:
    case SQLITE_FULL:
    case SQLITE_READONLY:
      return Unavailable("sqlite: " + detail);
    default:
      return Internal("sqlite: " + detail);
  }
}

// Creates the database file (0600) and its missing directories (0700) before SQLite opens
// it, since SQLite would create the file with the process umask's default mode.
Status CreateFileIfMissing(const std::string& path) {
  const std::filesystem::path dir = std::filesystem::path(path).parent_path();
  std::filesystem::path cur;
  for (const auto& part : dir) {
    cur /= part;
    if (::mkdir(cur.c_str(), 0700) != 0 && errno != EEXIST) {
      return Unavailable("cannot create directory " + cur.string() + ": " + std::strerror(errno));
    }
  }
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd >= 0) {
    ::close(fd);
  } else if (errno != EEXIST) {
    return Unavailable("cannot create database file " + path + ": " + std::strerror(errno));
  }
  return Status::Ok();
}

// statements.h is written for PostgreSQL. SQLite's numbered parameter is ?1 (its $1 would be
// a named parameter, numbered in order of appearance instead), and it has no FOR UPDATE (nor
// SKIP LOCKED) or FOR SHARE: the BEGIN IMMEDIATE transaction already holds the database's only
// write lock.
std::string ToSqlite(std::string_view sql) {
  for (std::string_view lock : {" FOR UPDATE SKIP LOCKED", " FOR UPDATE", " FOR SHARE"}) {
    if (sql.ends_with(lock)) {
      sql.remove_suffix(lock.size());
      break;
    }
  }
  std::string text(sql);
  for (size_t i = 0; i + 1 < text.size(); ++i) {
    if (text[i] == '$' && std::isdigit(static_cast<unsigned char>(text[i + 1]))) text[i] = '?';
  }
  return text;
}

int Bind(sqlite3_stmt* stmt, int index, const SqlValue& value) {
  if (const auto* text = std::get_if<std::string>(&value)) {
    // Static: the parameters outlive the statement's use, whose bindings are cleared after.
    return sqlite3_bind_text(stmt, index, text->data(), static_cast<int>(text->size()),
                             SQLITE_STATIC);
  }
  if (const auto* number = std::get_if<int64_t>(&value)) {
    return sqlite3_bind_int64(stmt, index, *number);
  }
  return sqlite3_bind_null(stmt, index);
}

SqlValue Column(sqlite3_stmt* stmt, int col) {
  switch (sqlite3_column_type(stmt, col)) {
    case SQLITE_NULL:
      return SqlValue();
    case SQLITE_INTEGER:
      return SqlValue(static_cast<int64_t>(sqlite3_column_int64(stmt, col)));
    default: {
      const unsigned char* p = sqlite3_column_text(stmt, col);
      const auto n = static_cast<size_t>(sqlite3_column_bytes(stmt, col));
      return SqlValue(std::string(reinterpret_cast<const char*>(p), n));
    }
  }
}

// SQL of this engine only; the statements SqlStore runs are in statements.h. Static arrays,
// like those: the statement cache is keyed by the address.
constexpr char kBegin[] = "BEGIN IMMEDIATE";
constexpr char kCommit[] = "COMMIT";
constexpr char kRollback[] = "ROLLBACK";
constexpr char kRecordUse[] =
    "UPDATE key_uses SET last_used_at = $2 "
    "WHERE key_id = $1 AND (last_used_at IS NULL OR last_used_at < $2)";

int CompareBytes(void*, int a_size, const void* a, int b_size, const void* b) {
  const int common = std::memcmp(a, b, static_cast<size_t>(std::min(a_size, b_size)));
  if (common != 0) return common;
  return a_size < b_size ? -1 : (a_size > b_size ? 1 : 0);
}

}  // namespace

// The one SQLite connection and its prepared statements, each prepared once and kept for the
// life of the connection. Used under SqliteDatabase::mu_ only.
class SqliteDatabase::Connection final : public SqlConnection {
 public:
  explicit Connection(sqlite3* db) : db_(db) {}
  ~Connection() override {
    for (auto& [sql, prepared] : statements_) sqlite3_finalize(prepared.stmt);
    sqlite3_close_v2(db_);
  }

  sqlite3* raw() const { return db_; }
  Result<SqlRows> ExecUpTo(const char* sql, SqlParams params, int max_rows) override;
  // Runs a statement of no parameters or rows, unprepared (set-up pragmas).
  Status ExecOnce(const char* sql) {
    const int rc = sqlite3_exec(db_, sql, nullptr, nullptr, nullptr);
    return rc == SQLITE_OK ? Status::Ok() : SqlError(db_, rc);
  }

 private:
  struct Prepared {
    sqlite3_stmt* stmt;
    SqlRows::Columns columns;
  };
  Result<const Prepared*> Prepare(const char* sql);

  sqlite3* const db_;
  std::unordered_map<const char*, Prepared> statements_;  // keyed by the static SQL text
};

Result<const SqliteDatabase::Connection::Prepared*> SqliteDatabase::Connection::Prepare(
    const char* sql) {
  auto it = statements_.find(sql);
  if (it != statements_.end()) return &it->second;
  sqlite3_stmt* stmt = nullptr;
  const int rc =
      sqlite3_prepare_v3(db_, ToSqlite(sql).c_str(), -1, SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
  if (rc != SQLITE_OK) return SqlError(db_, rc);
  auto columns = std::make_shared<std::vector<std::string>>();
  for (int i = 0; i < sqlite3_column_count(stmt); ++i) {
    columns->emplace_back(sqlite3_column_name(stmt, i));
  }
  return &statements_.emplace(sql, Prepared{stmt, std::move(columns)}).first->second;
}

Result<SqlRows> SqliteDatabase::Connection::ExecUpTo(const char* sql, SqlParams params,
                                                     int max_rows) {
  ASSIGN_OR_RETURN(const Prepared* prepared, Prepare(sql));
  sqlite3_stmt* stmt = prepared->stmt;
  // Ready for its next use, however this one ends.
  struct Reset {
    sqlite3_stmt* stmt;
    ~Reset() {
      sqlite3_reset(stmt);
      sqlite3_clear_bindings(stmt);
    }
  } reset{stmt};
  int index = 0;
  for (const SqlParam& param : params) {
    const int rc = Bind(stmt, ++index, param.value());
    if (rc != SQLITE_OK) return SqlError(db_, rc);
  }
  SqlRows rows(prepared->columns);
  rows.Reserve(1);  // most statements SqlStore runs read one row or none
  const int width = static_cast<int>(prepared->columns->size());
  for (int row = 0; row < max_rows; ++row) {
    const int rc = sqlite3_step(stmt);
    if (rc == SQLITE_DONE) break;
    if (rc != SQLITE_ROW) return SqlError(db_, rc);
    for (int col = 0; col < width; ++col) rows.Append(Column(stmt, col));
  }
  if (sqlite3_stmt_readonly(stmt) == 0) rows.set_affected(sqlite3_changes(db_));
  return rows;
}

// The background checkpoints: a thread with a connection of its own to the file, woken by the
// store's connection's commits (OnCommit, its WAL hook) and stopped by the destructor. The
// connection is used by the thread only; Wake and the counter are thread-safe.
class SqliteDatabase::Checkpointer {
 public:
  static Result<std::unique_ptr<Checkpointer>> Open(const std::string& path) {
    sqlite3* db = nullptr;
    const int rc =
        sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, nullptr);
    if (rc != SQLITE_OK) {
      std::string message = "cannot open SQLite database " + path + " for checkpoints: " +
                            (db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
      sqlite3_close_v2(db);
      return Unavailable(std::move(message));
    }
    // A connection learns that the file is in WAL mode from its first read; until then a
    // checkpoint does nothing and reports success.
    if (const int read = sqlite3_exec(db, "PRAGMA schema_version", nullptr, nullptr, nullptr);
        read != SQLITE_OK) {
      Status error = SqlError(db, read);
      sqlite3_close_v2(db);
      return error;
    }
    return std::unique_ptr<Checkpointer>(new Checkpointer(db));
  }

  ~Checkpointer() {
    {
      std::lock_guard lock(mu_);
      stopping_ = true;
    }
    wake_.notify_one();
    thread_.join();
    sqlite3_close_v2(db_);
  }

  // sqlite3_wal_hook's callback on the store's connection, after each commit (under the
  // store's mutex): `pages` are in the WAL now.
  static int OnCommit(void* self, sqlite3* db, const char* name, int pages) {
    if (pages >= kInlineCheckpointPages) {
      static_cast<Checkpointer*>(self)->Backstop(db, name);
    } else if (pages >= kCheckpointPages) {
      static_cast<Checkpointer*>(self)->Wake();
    }
    return SQLITE_OK;
  }

  uint64_t checkpoints() const { return checkpoints_.load(std::memory_order_relaxed); }

 private:
  explicit Checkpointer(sqlite3* db) : db_(db), thread_([this] { Run(); }) {}

  void Wake() {
    {
      std::lock_guard lock(mu_);
      if (requested_) return;
      requested_ = true;
    }
    wake_.notify_one();
  }

  // The backstop: this connection is the only writer while the hook runs, so this copies
  // every frame and the next write restarts the WAL from its beginning. A background
  // checkpoint in progress holds SQLite's checkpoint lock, and a second checkpoint answers
  // BUSY at once without waiting: under slow fsyncs (other I/O on the disk) the background
  // thread held it for seconds while the writer went on, and the WAL grew without bound. So
  // the writer waits for that checkpoint to end first: back-pressure, only past
  // kInlineCheckpointPages.
  void Backstop(sqlite3* db, const char* name) {
    std::lock_guard running(checkpointing_);
    sqlite3_wal_checkpoint_v2(db, name, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
  }

  void Run() {
    NameThisThread("sqlite-ckpt");
    for (;;) {
      {
        std::unique_lock lock(mu_);
        wake_.wait(lock, [this] { return requested_ || stopping_; });
        if (stopping_) return;
        requested_ = false;
      }
      // PASSIVE: copies what it can without waiting for readers or the writer; the commits
      // that follow wake it again while the WAL stays long.
      std::unique_lock running(checkpointing_);
      const int rc =
          sqlite3_wal_checkpoint_v2(db_, nullptr, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
      running.unlock();
      if (rc == SQLITE_OK) {
        checkpoints_.fetch_add(1, std::memory_order_relaxed);
      } else if ((rc & 0xff) != SQLITE_BUSY && (rc & 0xff) != SQLITE_LOCKED) {
        // BUSY: another checkpoint (the backstop, another process) is running; nothing lost.
        spdlog::warn("sqlite: background checkpoint failed: {}", sqlite3_errmsg(db_));
      }
    }
  }

  sqlite3* const db_;
  std::mutex checkpointing_;  // held while a checkpoint of this database runs in this process
  std::mutex mu_;
  std::condition_variable wake_;
  bool requested_ = false;  // guarded by mu_
  bool stopping_ = false;   // guarded by mu_
  std::atomic<uint64_t> checkpoints_{0};
  std::thread thread_;  // last: starts once the members above exist
};

SqliteDatabase::SqliteDatabase(std::unique_ptr<Connection> conn,
                               std::unique_ptr<Checkpointer> checkpointer)
    : conn_(std::move(conn)), checkpointer_(std::move(checkpointer)) {}

SqliteDatabase::~SqliteDatabase() {
  // No commit can wake the checkpointer once it is gone.
  if (checkpointer_ != nullptr) sqlite3_wal_hook(conn_->raw(), nullptr, nullptr);
}

uint64_t SqliteDatabase::background_checkpoints() const {
  return checkpointer_ != nullptr ? checkpointer_->checkpoints() : 0;
}

Result<std::unique_ptr<SqliteDatabase>> SqliteDatabase::Open(const std::string& path) {
  if (path.empty()) return InvalidRequest("the SQLite database path is empty");
  if (path != ":memory:") RETURN_IF_ERROR(CreateFileIfMissing(path));

  sqlite3* db = nullptr;
  const int rc = sqlite3_open_v2(
      path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    std::string message = "cannot open SQLite database " + path + ": " +
                          (db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
    sqlite3_close_v2(db);
    return Unavailable(std::move(message));
  }
  sqlite3_extended_result_codes(db, 1);
  sqlite3_busy_timeout(db, kBusyTimeoutMs);
  // PostgreSQL's "C" collation (byte order), which the shared statements name so that
  // PostgreSQL's lower() folds A-Z only, as SQLite's does (statements.h, TFZO_KEY_PAGE).
  sqlite3_create_collation_v2(db, "C", SQLITE_UTF8, nullptr, CompareBytes, nullptr);
  auto conn = std::make_unique<Connection>(db);
  const std::string cache_size = "PRAGMA cache_size = -" + std::to_string(kPageCacheKiB);
  for (const char* pragma : {"PRAGMA journal_mode = WAL", "PRAGMA synchronous = NORMAL",
                             "PRAGMA foreign_keys = ON", cache_size.c_str()}) {
    RETURN_IF_ERROR(conn->ExecOnce(pragma));
  }
  ASSIGN_OR_RETURN(std::vector<Migration> migrations,
                   LoadMigrations(migrations::Files(), SqlDialect::kSqlite));
  RETURN_IF_ERROR(ApplySqliteMigrations(db, migrations));
  std::unique_ptr<Checkpointer> checkpointer;
  if (path != ":memory:") {  // a private in-memory database has no WAL
    ASSIGN_OR_RETURN(checkpointer, Checkpointer::Open(path));
    RETURN_IF_ERROR(conn->ExecOnce(
        ("PRAGMA journal_size_limit = " + std::to_string(kWalSizeLimitBytes)).c_str()));
    // Off first: this pragma installs a WAL hook of its own, which the next line replaces.
    RETURN_IF_ERROR(conn->ExecOnce("PRAGMA wal_autocheckpoint = 0"));
    sqlite3_wal_hook(db, &Checkpointer::OnCommit, checkpointer.get());
  }
  return std::unique_ptr<SqliteDatabase>(
      new SqliteDatabase(std::move(conn), std::move(checkpointer)));
}

Status SqliteDatabase::Run(Mode mode, const Body& body) {
  std::lock_guard lock(mu_);
  if (mode == Mode::kRead) return body(*conn_);
  RETURN_IF_ERROR(conn_->Exec(kBegin, {}).status());
  Status status = body(*conn_);
  if (status.ok()) {
    status = conn_->Exec(kCommit, {}).status();
    if (status.ok()) return status;
  }
  if (sqlite3_get_autocommit(conn_->raw()) == 0) {  // still inside the transaction
    (void)conn_->Exec(kRollback, {});
  }
  return status;
}

Status SqliteDatabase::RecordKeyUses(SqlConnection& conn, const KeyUses& uses) {
  for (const auto& [key_id, at] : uses) {
    RETURN_IF_ERROR(conn.Exec(kRecordUse, {key_id, at}).status());
  }
  return Status::Ok();
}

}  // namespace tfzo
