#include "store/postgres_database.h"

#include <utility>

#include "store/migrations.h"
#include "store/pg_connection.h"
#include "store/postgres_migrator.h"

namespace tfzo {
namespace {

// A text[] literal for unnest(): every element double-quoted, '"' and '\' escaped.
std::string TextArray(const SqlDatabase::KeyUses& uses) {
  std::string out = "{";
  for (size_t i = 0; i < uses.size(); ++i) {
    if (i > 0) out += ',';
    out += '"';
    for (char c : uses[i].first) {
      if (c == '"' || c == '\\') out += '\\';
      out += c;
    }
    out += '"';
  }
  return out + "}";
}

std::string TimeArray(const SqlDatabase::KeyUses& uses) {
  std::string out = "{";
  for (size_t i = 0; i < uses.size(); ++i) {
    if (i > 0) out += ',';
    out += std::to_string(ToUnix(uses[i].second));
  }
  return out + "}";
}

PgParam ToPg(const SqlValue& value) {
  if (const auto* text = std::get_if<std::string>(&value)) return *text;
  if (const auto* number = std::get_if<int64_t>(&value)) return PgInt(*number);
  return std::nullopt;
}

std::vector<PgParam> ToPg(SqlParams params) {
  std::vector<PgParam> values;
  values.reserve(params.size());
  for (const SqlParam& p : params) values.push_back(ToPg(p.value()));
  return values;
}

// SQL of this engine only; the statements SqlStore runs are in statements.h.

constexpr char kNotify[] = "SELECT pg_notify('tfzo_changes', $1)";

// A periodic job's lock, until the end of the transaction (RunJob): the first key sets the
// server's locks apart from other applications' on the same database.
constexpr char kTryJobLock[] = "SELECT pg_try_advisory_xact_lock(25010015, hashtext($1::text))";

// Several nodes flush uses concurrently: lock the rows in one order first (no deadlock), then
// one upsert for the batch, whose WHERE is re-checked on the locked row, so the latest time
// wins and last_used_at never moves back. Only key_uses rows (migration 0017) are locked: a
// key's own row, which rotation and revocation lock, never waits for a flush.
constexpr char kLockUsedKeys[] =
    "SELECT key_id FROM key_uses WHERE key_id = ANY($1::text[]) ORDER BY key_id FOR UPDATE";
// An upsert: a key without its key_uses row (made by a node of the version before migration
// 0017) gets one, in id order like the locks; unknown keys are skipped by the join.
constexpr char kRecordUses[] =
    "INSERT INTO key_uses (key_id, last_used_at) "
    "SELECT k.id, u.at FROM (SELECT id, MAX(at) AS at FROM unnest($1::text[], $2::bigint[]) "
    "AS t(id, at) GROUP BY id) u JOIN api_keys k ON k.id = u.id ORDER BY k.id "
    "ON CONFLICT (key_id) DO UPDATE SET last_used_at = excluded.last_used_at "
    "WHERE key_uses.last_used_at IS NULL OR key_uses.last_used_at < excluded.last_used_at";

}  // namespace

// One pool connection as SqlStore sees it: statements in libpq's text format, rows copied out
// of the PGresult. Used by one borrower at a time.
//
// In a transaction (Begin ... Commit) nothing goes out until the body needs an answer: BEGIN
// and the writes the body Sends wait and go with its next Exec, or with COMMIT, as one pipeline
// (one round trip). A body that ends before it needs anything from the database costs one.
class PostgresDatabase::Connection final : public SqlConnection {
 public:
  explicit Connection(std::unique_ptr<PgConnection> pg) : pg_(std::move(pg)) {}

  PgConnection& pg() const { return *pg_; }

  // The deadline of the Run borrowing this connection: every statement's answer must come by
  // then.
  void set_deadline(PgConnection::Deadline deadline) { deadline_ = deadline; }

  // Starts a transaction: BEGIN waits for the body's first statement.
  void Begin() {
    later_.clear();
    pending_.assign(1, {.sql = "BEGIN", .params = {}, .prepare = false});
    in_transaction_ = true;
    begun_ = false;
  }

  // Sends what waits, then COMMIT.
  Status Commit() {
    pending_.push_back({.sql = "COMMIT", .params = {}, .prepare = false});
    in_transaction_ = false;
    return Flush().status();
  }

  // Ends a transaction that failed: forgets what waits, and rolls back what went out (unless
  // the connection is lost: the server rolls back itself).
  void Rollback() {
    pending_.clear();
    later_.clear();
    in_transaction_ = false;
    if (begun_ && !pg_->broken()) (void)pg_->Exec("ROLLBACK", {}, deadline_);
    begun_ = false;
  }

  // All rows: the server has sent them already.
  Result<SqlRows> ExecUpTo(const char* sql, SqlParams params, int /*max_rows*/) override {
    Result<PgResult> result = [&] {
      if (pending_.empty()) return pg_->ExecPrepared(sql, ToPg(params), deadline_);
      pending_.push_back({.sql = sql, .params = ToPg(params)});
      return Flush();
    }();
    if (!result.ok()) return result.status();
    return RowsOf(*result);
  }

  Status Send(const char* sql, SqlParams params) override {
    if (!in_transaction_) return ExecUpTo(sql, params, 0).status();
    pending_.push_back({.sql = sql, .params = ToPg(params)});
    return Status::Ok();
  }

  Status ExecLater(const char* sql, SqlParams params, std::optional<SqlRows>& rows) override {
    if (!in_transaction_) return SqlConnection::ExecLater(sql, params, rows);
    pending_.push_back({.sql = sql, .params = ToPg(params)});
    later_.push_back({pending_.size() - 1, &rows});
    return Status::Ok();
  }

 private:
  static SqlRows RowsOf(const PgResult& result) {
    auto names = std::make_shared<std::vector<std::string>>();
    for (int col = 0; col < result.columns(); ++col) names->push_back(result.ColumnName(col));
    SqlRows rows(std::move(names));
    rows.Reserve(result.rows());
    for (int row = 0; row < result.rows(); ++row) {
      for (int col = 0; col < result.columns(); ++col) {
        rows.Append(result.IsNull(row, col) ? SqlValue() : SqlValue(result.Text(row, col)));
      }
    }
    rows.set_affected(result.affected());
    return rows;
  }

  // Sends what waits as one pipeline, sets the rows of the ExecLater statements among it, and
  // returns the last statement's.
  Result<PgResult> Flush() {
    begun_ = true;
    Result<std::vector<PgResult>> results = pg_->ExecPipeline(pending_, deadline_);
    pending_.clear();
    const std::vector<std::pair<size_t, std::optional<SqlRows>*>> later = std::move(later_);
    later_.clear();
    if (!results.ok()) return results.status();
    for (const auto& [index, rows] : later) *rows = RowsOf((*results)[index]);
    return std::move(results->back());
  }

  const std::unique_ptr<PgConnection> pg_;
  PgConnection::Deadline deadline_{};
  std::vector<PgConnection::Statement> pending_;  // in order; BEGIN first when it has not gone
  // The ExecLater statements among pending_: their index there, and where their rows go.
  std::vector<std::pair<size_t, std::optional<SqlRows>*>> later_;
  bool in_transaction_ = false;
  bool begun_ = false;  // BEGIN went out
};

// A borrowed pool connection, handed back on destruction. Move-only.
class PostgresDatabase::Lease {
 public:
  Lease(PostgresDatabase* db, Connection* conn) : db_(db), conn_(conn) {}
  Lease(Lease&& other) noexcept : db_(other.db_), conn_(std::exchange(other.conn_, nullptr)) {}
  Lease& operator=(Lease&&) = delete;
  ~Lease() {
    if (conn_ != nullptr) db_->Return(conn_);
  }
  Connection& operator*() const { return *conn_; }

 private:
  PostgresDatabase* db_;
  Connection* conn_;
};

PostgresDatabase::PostgresDatabase(std::string url, std::chrono::milliseconds timeout,
                                   std::vector<std::unique_ptr<Connection>> pool)
    : url_(std::move(url)), timeout_(timeout), pool_(std::move(pool)) {
  for (auto& c : pool_) free_.push_back(c.get());
}

PostgresDatabase::~PostgresDatabase() {
  listener_.reset();  // no more publishing from its thread
}

Result<std::unique_ptr<PostgresDatabase>> PostgresDatabase::Open(
    const std::string& url, std::chrono::milliseconds timeout) {
  std::vector<std::unique_ptr<Connection>> pool;
  for (int i = 0; i < kPoolSize; ++i) {
    ASSIGN_OR_RETURN(std::unique_ptr<PgConnection> conn, PgConnection::Connect(url, timeout));
    pool.push_back(std::make_unique<Connection>(std::move(conn)));
  }
  ASSIGN_OR_RETURN(std::vector<Migration> migrations,
                   LoadMigrations(migrations::Files(), SqlDialect::kPostgres));
  RETURN_IF_ERROR(ApplyPostgresMigrations(pool.front()->pg(), migrations));
  return std::unique_ptr<PostgresDatabase>(new PostgresDatabase(url, timeout, std::move(pool)));
}

std::optional<PostgresDatabase::Lease> PostgresDatabase::Borrow(PgConnection::Deadline deadline) {
  std::unique_lock lock(mu_);
  if (!free_cv_.wait_until(lock, deadline, [this] { return !free_.empty(); })) {
    return std::nullopt;
  }
  Connection* conn = free_.back();
  free_.pop_back();
  return std::optional<Lease>(std::in_place, this, conn);
}

void PostgresDatabase::Return(Connection* conn) {
  {
    std::lock_guard lock(mu_);
    free_.push_back(conn);
  }
  free_cv_.notify_one();
}

Status PostgresDatabase::Run(Mode mode, const Body& body) {
  const PgConnection::Deadline deadline = std::chrono::steady_clock::now() + timeout_;
  std::optional<Lease> lease = Borrow(deadline);
  if (!lease) {
    return Status(StatusCode::kUnavailable, "every PostgreSQL connection stayed busy for " +
                                                std::to_string(timeout_.count()) + " ms");
  }
  Connection& conn = **lease;
  conn.set_deadline(deadline);
  PgConnection& pg = conn.pg();
  for (int attempt = 0;; ++attempt) {
    const bool may_retry = attempt == 0;
    if (pg.broken()) RETURN_IF_ERROR(pg.Reset(deadline));
    if (mode == Mode::kRead) {
      Status status = body(conn);
      if (!status.ok() && pg.broken() && may_retry) continue;
      return status;
    }
    conn.Begin();
    Status status = body(conn);
    if (!status.ok()) {
      conn.Rollback();
      // Nothing was committed: a connection lost mid-transaction is worth one more try.
      if (pg.broken() && may_retry) continue;
      return status;
    }
    // A COMMIT that fails on a lost connection may or may not have committed: no retry.
    Status commit = conn.Commit();
    if (!commit.ok()) conn.Rollback();
    return commit;
  }
}

Status PostgresDatabase::Listen(ChangeListener publish) {
  auto is_own = [this](int pid) {
    for (const auto& conn : pool_) {
      if (conn->pg().backend_pid() == pid) return true;
    }
    return false;
  };
  ASSIGN_OR_RETURN(listener_, PostgresListener::Start(url_, std::move(publish), std::move(is_own),
                                                      {.timeout = timeout_}));
  return Status::Ok();
}

Freshness PostgresDatabase::freshness() const {
  return listener_ != nullptr ? listener_->freshness() : Freshness{};
}

Status PostgresDatabase::Notify(SqlConnection& conn, const Change& change) {
  return conn.Send(kNotify, {EncodeChange(change)});
}

Status PostgresDatabase::RecordKeyUses(SqlConnection& conn, const KeyUses& uses) {
  const std::string ids = TextArray(uses);
  RETURN_IF_ERROR(conn.Exec(kLockUsedKeys, {ids}).status());
  return conn.Exec(kRecordUses, {ids, TimeArray(uses)}).status();
}

Result<bool> PostgresDatabase::RunJob(std::string_view job, const Claim& claim,
                                      const std::function<void()>& work) {
  JobConnection* slot = nullptr;
  {
    std::lock_guard lock(jobs_mu_);
    auto it = jobs_.find(job);
    if (it == jobs_.end()) {
      it = jobs_.emplace(std::string(job), std::make_unique<JobConnection>()).first;
    }
    slot = it->second.get();
  }
  std::lock_guard lock(slot->mu);
  auto deadline = std::chrono::steady_clock::now() + timeout_;
  if (slot->conn == nullptr) {
    ASSIGN_OR_RETURN(std::unique_ptr<PgConnection> pg,
                     PgConnection::Connect(url_, timeout_, "2501-accounts jobs"));
    slot->conn = std::make_unique<Connection>(std::move(pg));
  }
  Connection& conn = *slot->conn;
  PgConnection& pg = conn.pg();
  if (pg.broken()) RETURN_IF_ERROR(pg.Reset(deadline));
  conn.set_deadline(deadline);
  RETURN_IF_ERROR(pg.Exec("BEGIN", {}, deadline).status());
  const Result<bool> claimed = [&]() -> Result<bool> {
    ASSIGN_OR_RETURN(PgResult locked, pg.Exec(kTryJobLock, {PgText(job)}, deadline));
    if (locked.Text(0, 0) != "t") return false;  // another node is running it
    return claim(conn);
  }();
  if (!claimed.ok() || !*claimed) {
    if (!pg.broken()) (void)pg.Exec("ROLLBACK", {}, deadline);
    return claimed;
  }
  work();
  // The run may have taken longer than one statement's deadline: the commit gets its own.
  deadline = std::chrono::steady_clock::now() + timeout_;
  Status commit = pg.Exec("COMMIT", {}, deadline).status();
  if (!commit.ok() && !pg.broken()) (void)pg.Exec("ROLLBACK", {}, deadline);
  RETURN_IF_ERROR(commit);
  return true;
}

}  // namespace tfzo
