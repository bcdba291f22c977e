#include "store/sqlite_store.h"

#include <fcntl.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <string>
#include <utility>

#include "store/migrations.h"
#include "store/sqlite_migrator.h"
#include "store/statements.h"

namespace tfzo {
namespace {

constexpr int kBusyTimeoutMs = 5000;

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

const Status& StatusOf(const Status& s) { return s; }
template <typename T>
const Status& StatusOf(const Result<T>& r) {
  return r.status();
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
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

// SQL of this store only; the statements both stores run are in statements.h. Each text is
// a static array: the statement cache is keyed by its address.

constexpr char kBegin[] = "BEGIN IMMEDIATE";
constexpr char kCommit[] = "COMMIT";
constexpr char kRollback[] = "ROLLBACK";
constexpr char kPing[] = "SELECT 1";

constexpr char kTouchSession[] =
    "UPDATE sessions SET last_seen_at = "
    "CASE WHEN last_seen_at < ?2 THEN ?2 ELSE last_seen_at END WHERE token_digest = ?1";

constexpr char kCountOwners[] =
    "SELECT COUNT(*) FROM memberships WHERE org_id = ?1 AND role = 'owner'";

constexpr char kKeyRevokedAt[] = "SELECT revoked_at FROM api_keys WHERE id = ?1";
constexpr char kRecordUse[] =
    "UPDATE api_keys SET last_used_at = ?2 "
    "WHERE id = ?1 AND (last_used_at IS NULL OR last_used_at < ?2)";

}  // namespace

// One use of a cached prepared statement: binds, steps, reads columns, and on destruction
// resets the statement for its next use. Lives only while SqliteStore::mu_ is held.
class SqliteStore::Statement {
 public:
  Statement(sqlite3* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}
  Statement(Statement&& other) noexcept
      : db_(other.db_), stmt_(std::exchange(other.stmt_, nullptr)), bind_rc_(other.bind_rc_) {}
  Statement& operator=(Statement&&) = delete;
  ~Statement() {
    if (stmt_ != nullptr) {
      sqlite3_reset(stmt_);
      sqlite3_clear_bindings(stmt_);
    }
  }

  Statement& BindText(int i, std::string_view v) {
    return Check(
        sqlite3_bind_text(stmt_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT));
  }
  Statement& BindInt(int i, int64_t v) { return Check(sqlite3_bind_int64(stmt_, i, v)); }
  Statement& BindTime(int i, Time t) { return BindInt(i, ToUnix(t)); }
  Statement& BindDigest(int i, const Digest& d) { return BindText(i, ToHex(d)); }
  Statement& BindNull(int i) { return Check(sqlite3_bind_null(stmt_, i)); }
  Statement& BindOptText(int i, const std::optional<std::string>& v) {
    return v ? BindText(i, *v) : BindNull(i);
  }
  Statement& BindOptTime(int i, const std::optional<Time>& v) {
    return v ? BindTime(i, *v) : BindNull(i);
  }

  // True when a row is ready to read, false when the statement is done.
  Result<bool> Step() {
    if (bind_rc_ != SQLITE_OK) return SqlError(db_, bind_rc_);
    const int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    return SqlError(db_, rc);
  }
  // Runs a statement to its end, ignoring any rows.
  Status Run() {
    while (true) {
      ASSIGN_OR_RETURN(bool row, Step());
      if (!row) return Status::Ok();
    }
  }
  int Changes() const { return sqlite3_changes(db_); }

  bool IsNull(int col) const { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }
  int64_t Int(int col) const { return sqlite3_column_int64(stmt_, col); }
  Time TimeAt(int col) const { return FromUnix(Int(col)); }
  std::string Text(int col) const {
    const unsigned char* p = sqlite3_column_text(stmt_, col);
    return p == nullptr ? std::string()
                        : std::string(reinterpret_cast<const char*>(p),
                                      static_cast<size_t>(sqlite3_column_bytes(stmt_, col)));
  }
  std::optional<std::string> OptText(int col) const {
    if (IsNull(col)) return std::nullopt;
    return Text(col);
  }
  std::optional<Time> OptTime(int col) const {
    if (IsNull(col)) return std::nullopt;
    return TimeAt(col);
  }

 private:
  Statement& Check(int rc) {
    if (rc != SQLITE_OK && bind_rc_ == SQLITE_OK) bind_rc_ = rc;
    return *this;
  }

  sqlite3* db_;
  sqlite3_stmt* stmt_;
  int bind_rc_ = SQLITE_OK;
};

namespace {

AccountRecord ReadAccount(const auto& s) {
  return AccountRecord{.id = s.Text(0),
                       .email = s.Text(1),
                       .name = s.Text(2),
                       .password_hash = s.Text(3),
                       .created_at = s.TimeAt(4)};
}

KeyRecord ReadKey(const auto& s) {
  KeyRecord k;
  k.id = s.Text(0);
  k.account_id = s.Text(1);
  k.name = s.Text(2);
  k.description = s.Text(3);
  k.hint = s.Text(4);
  k.org_id = s.OptText(5);
  k.created_at = s.TimeAt(6);
  k.expires_at = s.OptTime(7);
  k.last_used_at = s.OptTime(8);
  k.rotated_at = s.OptTime(9);
  k.revoked_at = s.OptTime(10);
  k.org_name = s.Text(11);
  k.email = s.Text(12);
  return k;
}

MembershipRecord ReadMembership(const auto& s) {
  MembershipRecord m;
  m.org_id = s.Text(0);
  m.org_name = s.Text(1);
  m.account_id = s.Text(2);
  m.email = s.Text(3);
  m.role = ParseRole(s.Text(4)).value_or(Role::kMember);
  return m;
}

AgentRecord ReadAgent(const auto& s) {
  return AgentRecord{.id = s.Text(0),
                     .org_id = s.Text(1),
                     .name = s.Text(2),
                     .host_id = s.OptText(3),
                     .created_at = s.TimeAt(4)};
}

HostRecord ReadHost(const auto& s) {
  return HostRecord{.id = s.Text(0),
                    .org_id = s.Text(1),
                    .name = s.Text(2),
                    .address = s.Text(3),
                    .created_at = s.TimeAt(4)};
}

EventRecord ReadEvent(const auto& s) {
  return EventRecord{.id = s.Text(0),
                     .at = s.TimeAt(1),
                     .action = s.Text(2),
                     .actor_id = s.OptText(3),
                     .org_id = s.OptText(4),
                     .target_id = s.Text(5),
                     .ip = s.Text(6)};
}

}  // namespace

SqliteStore::SqliteStore(sqlite3* db) : db_(db) {}

SqliteStore::~SqliteStore() {
  for (auto& [sql, stmt] : statements_) sqlite3_finalize(stmt);
  sqlite3_close_v2(db_);
}

Result<std::unique_ptr<SqliteStore>> SqliteStore::Open(const std::string& path) {
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
  std::unique_ptr<SqliteStore> store(new SqliteStore(db));

  std::lock_guard lock(store->mu_);
  for (const char* pragma :
       {"PRAGMA journal_mode = WAL", "PRAGMA synchronous = NORMAL", "PRAGMA foreign_keys = ON"}) {
    RETURN_IF_ERROR(store->Exec(pragma));
  }
  ASSIGN_OR_RETURN(std::vector<Migration> migrations,
                   LoadMigrations(migrations::Files(), SqlDialect::kSqlite));
  RETURN_IF_ERROR(ApplySqliteMigrations(db, migrations));
  return Result<std::unique_ptr<SqliteStore>>(std::move(store));
}

Result<SqliteStore::Statement> SqliteStore::Prepare(const char* sql) {
  auto it = statements_.find(sql);
  if (it != statements_.end()) return Statement(db_, it->second);
  // statements.h numbers parameters as PostgreSQL does ($1); SQLite's numbered form is ?1
  // (its $1 would be a named parameter, numbered in order of appearance instead).
  std::string text = sql;
  for (size_t i = 0; i + 1 < text.size(); ++i) {
    if (text[i] == '$' && std::isdigit(static_cast<unsigned char>(text[i + 1]))) text[i] = '?';
  }
  sqlite3_stmt* stmt = nullptr;
  const int rc =
      sqlite3_prepare_v3(db_, text.c_str(), -1, SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
  if (rc != SQLITE_OK) return SqlError(db_, rc);
  statements_.emplace(sql, stmt);
  return Statement(db_, stmt);
}

Status SqliteStore::Exec(const char* sql) {
  char* err = nullptr;
  const int rc = sqlite3_exec(db_, sql, nullptr, nullptr, &err);
  sqlite3_free(err);
  return rc == SQLITE_OK ? Status::Ok() : SqlError(db_, rc);
}

template <typename Body>
auto SqliteStore::InTransaction(Body&& body) -> decltype(body()) {
  std::lock_guard lock(mu_);
  {
    ASSIGN_OR_RETURN(Statement begin, Prepare(kBegin));
    RETURN_IF_ERROR(begin.Run());
  }
  auto result = body();
  Status status = StatusOf(result);
  if (status.ok()) {
    auto commit = Prepare(kCommit);
    status = commit.ok() ? commit->Run() : commit.status();
    if (status.ok()) return result;
  }
  if (sqlite3_get_autocommit(db_) == 0) {  // still inside the transaction
    auto rollback = Prepare(kRollback);
    if (rollback.ok()) (void)rollback->Run();
  }
  return status;
}

Status SqliteStore::InsertEvent(const EventRecord& e) {
  ASSIGN_OR_RETURN(Statement s, Prepare(sql::kInsertEvent));
  s.BindText(1, e.id)
      .BindTime(2, e.at)
      .BindText(3, e.action)
      .BindOptText(4, e.actor_id)
      .BindOptText(5, e.org_id)
      .BindText(6, e.target_id)
      .BindText(7, e.ip);
  return s.Run();
}

Status SqliteStore::Ping() {
  std::lock_guard lock(mu_);
  ASSIGN_OR_RETURN(Statement s, Prepare(kPing));
  return s.Run();
}

// Accounts and sessions.

Status SqliteStore::CreateAccount(const AccountRecord& account, const EventRecord& event) {
  const std::string email = Lower(account.email);
  return InTransaction([&]() -> Status {
    {
      ASSIGN_OR_RETURN(Statement s, Prepare(sql::kEmailExists));
      s.BindText(1, email);
      ASSIGN_OR_RETURN(bool taken, s.Step());
      if (taken) {
        return Status(StatusCode::kEmailTaken, "an account with this email already exists");
      }
    }
    {
      ASSIGN_OR_RETURN(Statement s, Prepare(sql::kInsertAccount));
      s.BindText(1, account.id)
          .BindText(2, email)
          .BindText(3, account.name)
          .BindText(4, account.password_hash)
          .BindTime(5, account.created_at);
      RETURN_IF_ERROR(s.Run());
    }
    return InsertEvent(event);
  });
}

Result<AccountRecord> SqliteStore::FindAccount(std::string_view account_id) {
  std::lock_guard lock(mu_);
  ASSIGN_OR_RETURN(Statement s, Prepare(sql::kFindAccount));
  s.BindText(1, account_id);
  ASSIGN_OR_RETURN(bool row, s.Step());
  if (!row) return NotFound("no such account");
  return ReadAccount(s);
}

Result<AccountRecord> SqliteStore::FindAccountByEmail(std::string_view email) {
  std::lock_guard lock(mu_);
  ASSIGN_OR_RETURN(Statement s, Prepare(sql::kFindAccountByEmail));
  s.BindText(1, Lower(email));
  ASSIGN_OR_RETURN(bool row, s.Step());
  if (!row) return NotFound("no such account");
  return ReadAccount(s);
}

Status SqliteStore::CreateSession(const SessionRecord& session, const EventRecord& event) {
  return InTransaction([&]() -> Status {
    {
      ASSIGN_OR_RETURN(Statement s, Prepare(sql::kInsertSession));
      s.BindDigest(1, session.token_digest)
          .BindText(2, session.account_id)
          .BindText(3, session.csrf_token)
          .BindTime(4, session.created_at)
          .BindTime(5, session.last_seen_at);
      RETURN_IF_ERROR(s.Run());
    }
    return InsertEvent(event);
  });
}

Result<SessionRecord> SqliteStore::FindSession(const Digest& token_digest) {
  std::lock_guard lock(mu_);
  ASSIGN_OR_RETURN(Statement s, Prepare(sql::kFindSession));
  s.BindDigest(1, token_digest);
  ASSIGN_OR_RETURN(bool row, s.Step());
  if (!row) return NotFound("no such session");
  return SessionRecord{.token_digest = token_digest,
                       .account_id = s.Text(0),
                       .csrf_token = s.Text(1),
                       .created_at = s.TimeAt(2),
                       .last_seen_at = s.TimeAt(3)};
}

Status SqliteStore::TouchSession(const Digest& token_digest, Time at) {
  std::lock_guard lock(mu_);
  ASSIGN_OR_RETURN(Statement s, Prepare(kTouchSession));
  s.BindDigest(1, token_digest).BindTime(2, at);
  RETURN_IF_ERROR(s.Run());
  if (s.Changes() == 0) return NotFound("no such session");
  return Status::Ok();
}

Status SqliteStore::DeleteSession(const Digest& token_digest) {
  std::lock_guard lock(mu_);
  ASSIGN_OR_RETURN(Statement s, Prepare(sql::kDeleteSession));
  s.BindDigest(1, token_digest);
  RETURN_IF_ERROR(s.Run());
  if (s.Changes() == 0) return NotFound("no such session");
  return Status::Ok();
}

Status SqliteStore::DeleteSessionsIdleSince(Time cutoff) {
  std::lock_guard lock(mu_);
  ASSIGN_OR_RETURN(Statement s, Prepare(sql::kDeleteIdleSessions));
  s.BindTime(1, cutoff);
  return s.Run();
}

// Organizations and members.

Status SqliteStore::CreateOrg(const OrgRecord& org, std::string_view owner_id,
                              const EventRecord& event) {
  Status result = InTransaction([&]() -> Status {
    {
      ASSIGN_OR_RETURN(Statement s, Prepare(sql::kInsertOrg));
      s.BindText(1, org.id).BindText(2, org.name).BindTime(3, org.created_at);
      RETURN_IF_ERROR(s.Run());
    }
    {
      ASSIGN_OR_RETURN(Statement s, Prepare(sql::kInsertMembership));
      s.BindText(1, org.id)
          .BindText(2, owner_id)
          .BindText(3, RoleName(Role::kOwner))
          .BindTime(4, org.created_at);
      RETURN_IF_ERROR(s.Run());
    }
    return InsertEvent(event);
  });
  if (result.ok()) Publish({Change::Kind::kMembership, "", org.id, std::string(owner_id)});
  return result;
}

Result<OrgRecord> SqliteStore::FindOrg(std::string_view org_id) {
  std::lock_guard lock(mu_);
  ASSIGN_OR_RETURN(Statement s, Prepare(sql::kFindOrg));
  s.BindText(1, org_id);
  ASSIGN_OR_RETURN(bool row, s.Step());
  if (!row) return NotFound("no such organization");
  return OrgRecord{.id = s.Text(0), .name = s.Text(1), .created_at = s.TimeAt(2)};
}

Result<std::vector<MembershipRecord>> SqliteStore::ListMemberships(std::string_view account_id) {
  std::lock_guard lock(mu_);
  ASSIGN_OR_RETURN(Statement s, Prepare(sql::kListMemberships));
  s.BindText(1, account_id);
  std::vector<MembershipRecord> out;
  while (true) {
    ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) break;
    out.push_back(ReadMembership(s));
  }
  return out;
}

Result<std::optional<Role>> SqliteStore::FindRole(std::string_view org_id,
                                                  std::string_view account_id) {
  std::lock_guard lock(mu_);
  ASSIGN_OR_RETURN(Statement s, Prepare(sql::kFindRole));
  s.BindText(1, org_id).BindText(2, account_id);
  ASSIGN_OR_RETURN(bool row, s.Step());
  if (!row) return std::optional<Role>();
  return ParseRole(s.Text(0));
}

Result<std::vector<MembershipRecord>> SqliteStore::ListMembers(std::string_view org_id) {
  std::lock_guard lock(mu_);
  ASSIGN_OR_RETURN(Statement s, Prepare(sql::kListMembers));
  s.BindText(1, org_id);
  std::vector<MembershipRecord> out;
  while (true) {
    ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) break;
    out.push_back(ReadMembership(s));
  }
  return out;
}

Status SqliteStore::AddMember(std::string_view org_id, std::string_view account_id, Role role,
                              const EventRecord& event) {
  Status result = InTransaction([&]() -> Status {
    {
      ASSIGN_OR_RETURN(Statement s, Prepare(sql::kFindRole));
      s.BindText(1, org_id).BindText(2, account_id);
      ASSIGN_OR_RETURN(bool row, s.Step());
      if (row) return Conflict("the account is already a member of this organization");
    }
    {
      ASSIGN_OR_RETURN(Statement s, Prepare(sql::kInsertMembership));
      s.BindText(1, org_id)
          .BindText(2, account_id)
          .BindText(3, RoleName(role))
          .BindTime(4, event.at);
      RETURN_IF_ERROR(s.Run());
    }
    return InsertEvent(event);
  });
  if (result.ok()) {
    Publish({Change::Kind::kMembership, "", std::string(org_id), std::string(account_id)});
  }
  return result;
}

Status SqliteStore::RemoveMember(std::string_view org_id, std::string_view account_id,
                                 const EventRecord& event) {
  Status result = InTransaction([&]() -> Status {
    std::optional<Role> role;
    {
      ASSIGN_OR_RETURN(Statement s, Prepare(sql::kFindRole));
      s.BindText(1, org_id).BindText(2, account_id);
      ASSIGN_OR_RETURN(bool row, s.Step());
      if (!row) return NotFound("the account is not a member of this organization");
      role = ParseRole(s.Text(0));
    }
    if (role == Role::kOwner) {
      ASSIGN_OR_RETURN(Statement s, Prepare(kCountOwners));
      s.BindText(1, org_id);
      ASSIGN_OR_RETURN(bool row, s.Step());
      if (!row || s.Int(0) <= 1) {
        return Conflict("the last owner cannot leave the organization");
      }
    }
    {
      ASSIGN_OR_RETURN(Statement s, Prepare(sql::kDeleteMembership));
      s.BindText(1, org_id).BindText(2, account_id);
      RETURN_IF_ERROR(s.Run());
    }
    return InsertEvent(event);
  });
  if (result.ok()) {
    Publish({Change::Kind::kMembership, "", std::string(org_id), std::string(account_id)});
  }
  return result;
}

// API keys.

Status SqliteStore::CreateKey(const KeyRecord& key, const SecretRecord& secret,
                              const EventRecord& event) {
  return InTransaction([&]() -> Status {
    {
      ASSIGN_OR_RETURN(Statement s, Prepare(sql::kInsertKey));
      s.BindText(1, key.id)
          .BindText(2, key.account_id)
          .BindText(3, key.name)
          .BindText(4, key.description)
          .BindText(5, key.hint.empty() ? secret.hint : key.hint)
          .BindOptText(6, key.org_id)
          .BindTime(7, key.created_at)
          .BindOptTime(8, key.expires_at)
          .BindOptTime(9, key.last_used_at)
          .BindOptTime(10, key.rotated_at)
          .BindOptTime(11, key.revoked_at);
      RETURN_IF_ERROR(s.Run());
    }
    {
      ASSIGN_OR_RETURN(Statement s, Prepare(sql::kInsertSecret));
      s.BindDigest(1, secret.digest)
          .BindText(2, key.id)
          .BindText(3, secret.hint)
          .BindTime(4, secret.created_at)
          .BindOptTime(5, secret.revoked_at);
      RETURN_IF_ERROR(s.Run());
    }
    return InsertEvent(event);
  });
}

Result<std::vector<KeyRecord>> SqliteStore::QueryKeys(const char* sql, std::string_view arg) {
  std::lock_guard lock(mu_);
  ASSIGN_OR_RETURN(Statement s, Prepare(sql));
  s.BindText(1, arg);
  std::vector<KeyRecord> out;
  while (true) {
    ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) break;
    out.push_back(ReadKey(s));
  }
  return out;
}

Result<KeyRecord> SqliteStore::FindKey(std::string_view key_id) {
  ASSIGN_OR_RETURN(std::vector<KeyRecord> keys, QueryKeys(sql::kFindKey, key_id));
  if (keys.empty()) return NotFound("no such key");
  return std::move(keys.front());
}

Result<std::vector<KeyRecord>> SqliteStore::ListKeys(std::string_view account_id) {
  return QueryKeys(sql::kListKeys, account_id);
}

Result<std::vector<KeyRecord>> SqliteStore::ListOrgKeys(std::string_view org_id) {
  return QueryKeys(sql::kListOrgKeys, org_id);
}

Status SqliteStore::UpdateKey(std::string_view key_id, const std::string& name,
                              const std::string& description, const EventRecord& event) {
  Status result = InTransaction([&]() -> Status {
    {
      ASSIGN_OR_RETURN(Statement s, Prepare(sql::kUpdateKey));
      s.BindText(1, key_id).BindText(2, name).BindText(3, description);
      RETURN_IF_ERROR(s.Run());
      if (s.Changes() == 0) return NotFound("no such key");
    }
    return InsertEvent(event);
  });
  if (result.ok()) Publish({Change::Kind::kKey, std::string(key_id), "", ""});
  return result;
}

Status SqliteStore::RotateKey(std::string_view key_id, const SecretRecord& secret,
                              std::optional<std::optional<Time>> expires_at,
                              const EventRecord& event) {
  Status result = InTransaction([&]() -> Status {
    {
      ASSIGN_OR_RETURN(Statement s, Prepare(kKeyRevokedAt));
      s.BindText(1, key_id);
      ASSIGN_OR_RETURN(bool row, s.Step());
      if (!row) return NotFound("no such key");
      if (!s.IsNull(0)) return Conflict("a revoked key cannot be rotated");
    }
    {
      ASSIGN_OR_RETURN(Statement s, Prepare(sql::kRevokeSecrets));
      s.BindText(1, key_id).BindTime(2, secret.created_at);
      RETURN_IF_ERROR(s.Run());
    }
    {
      ASSIGN_OR_RETURN(Statement s, Prepare(sql::kInsertSecret));
      s.BindDigest(1, secret.digest)
          .BindText(2, key_id)
          .BindText(3, secret.hint)
          .BindTime(4, secret.created_at)
          .BindNull(5);
      RETURN_IF_ERROR(s.Run());
    }
    {
      ASSIGN_OR_RETURN(Statement s, Prepare(sql::kSetRotated));
      s.BindText(1, key_id).BindText(2, secret.hint).BindTime(3, secret.created_at);
      RETURN_IF_ERROR(s.Run());
    }
    if (expires_at.has_value()) {
      ASSIGN_OR_RETURN(Statement s, Prepare(sql::kSetExpires));
      s.BindText(1, key_id).BindOptTime(2, *expires_at);
      RETURN_IF_ERROR(s.Run());
    }
    return InsertEvent(event);
  });
  if (result.ok()) Publish({Change::Kind::kKey, std::string(key_id), "", ""});
  return result;
}

Result<Time> SqliteStore::RevokeKey(std::string_view key_id, Time at, const EventRecord& event) {
  Result<Time> result = InTransaction([&]() -> Result<Time> {
    {
      ASSIGN_OR_RETURN(Statement s, Prepare(kKeyRevokedAt));
      s.BindText(1, key_id);
      ASSIGN_OR_RETURN(bool row, s.Step());
      if (!row) return NotFound("no such key");
      if (!s.IsNull(0)) return s.TimeAt(0);  // already revoked: no change, no event
    }
    {
      ASSIGN_OR_RETURN(Statement s, Prepare(sql::kSetRevoked));
      s.BindText(1, key_id).BindTime(2, at);
      RETURN_IF_ERROR(s.Run());
    }
    {
      ASSIGN_OR_RETURN(Statement s, Prepare(sql::kRevokeSecrets));
      s.BindText(1, key_id).BindTime(2, at);
      RETURN_IF_ERROR(s.Run());
    }
    RETURN_IF_ERROR(InsertEvent(event));
    return at;
  });
  if (result.ok()) Publish({Change::Kind::kKey, std::string(key_id), "", ""});
  return result;
}

Result<KeyState> SqliteStore::FindKeyBySecret(const Digest& digest) {
  std::lock_guard lock(mu_);
  ASSIGN_OR_RETURN(Statement s, Prepare(sql::kFindKeyBySecret));
  s.BindDigest(1, digest);
  ASSIGN_OR_RETURN(bool row, s.Step());
  if (!row) return NotFound("no such key");
  return KeyState{.key_id = s.Text(0),
                  .account_id = s.Text(1),
                  .org_id = s.OptText(2),
                  .expires_at = s.OptTime(3),
                  .key_revoked_at = s.OptTime(4),
                  .secret_revoked_at = s.OptTime(5)};
}

Status SqliteStore::RecordKeyUses(const std::vector<std::pair<std::string, Time>>& uses) {
  if (uses.empty()) return Status::Ok();
  return InTransaction([&]() -> Status {
    for (const auto& [key_id, at] : uses) {
      ASSIGN_OR_RETURN(Statement s, Prepare(kRecordUse));
      s.BindText(1, key_id).BindTime(2, at);
      RETURN_IF_ERROR(s.Run());
    }
    return Status::Ok();
  });
}

// Agents and hosts.

Status SqliteStore::CreateAgent(const AgentRecord& agent) {
  return InTransaction([&]() -> Status {
    if (agent.host_id.has_value()) {
      ASSIGN_OR_RETURN(Statement s, Prepare(sql::kHostInOrg));
      s.BindText(1, *agent.host_id).BindText(2, agent.org_id);
      ASSIGN_OR_RETURN(bool row, s.Step());
      if (!row) return NotFound("no such host in this organization");
    }
    ASSIGN_OR_RETURN(Statement s, Prepare(sql::kInsertAgent));
    s.BindText(1, agent.id)
        .BindText(2, agent.org_id)
        .BindText(3, agent.name)
        .BindOptText(4, agent.host_id)
        .BindTime(5, agent.created_at);
    return s.Run();
  });
}

Result<std::vector<AgentRecord>> SqliteStore::ListAgents(std::string_view org_id) {
  std::lock_guard lock(mu_);
  ASSIGN_OR_RETURN(Statement s, Prepare(sql::kListAgents));
  s.BindText(1, org_id);
  std::vector<AgentRecord> out;
  while (true) {
    ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) break;
    out.push_back(ReadAgent(s));
  }
  return out;
}

Result<AgentRecord> SqliteStore::FindAgent(std::string_view org_id, std::string_view agent_id) {
  std::lock_guard lock(mu_);
  ASSIGN_OR_RETURN(Statement s, Prepare(sql::kFindAgent));
  s.BindText(1, org_id).BindText(2, agent_id);
  ASSIGN_OR_RETURN(bool row, s.Step());
  if (!row) return NotFound("no such agent");
  return ReadAgent(s);
}

Status SqliteStore::DeleteAgent(std::string_view org_id, std::string_view agent_id) {
  std::lock_guard lock(mu_);
  ASSIGN_OR_RETURN(Statement s, Prepare(sql::kDeleteAgent));
  s.BindText(1, org_id).BindText(2, agent_id);
  RETURN_IF_ERROR(s.Run());
  if (s.Changes() == 0) return NotFound("no such agent");
  return Status::Ok();
}

Status SqliteStore::CreateHost(const HostRecord& host) {
  std::lock_guard lock(mu_);
  ASSIGN_OR_RETURN(Statement s, Prepare(sql::kInsertHost));
  s.BindText(1, host.id)
      .BindText(2, host.org_id)
      .BindText(3, host.name)
      .BindText(4, host.address)
      .BindTime(5, host.created_at);
  return s.Run();
}

Result<std::vector<HostRecord>> SqliteStore::ListHosts(std::string_view org_id) {
  std::lock_guard lock(mu_);
  ASSIGN_OR_RETURN(Statement s, Prepare(sql::kListHosts));
  s.BindText(1, org_id);
  std::vector<HostRecord> out;
  while (true) {
    ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) break;
    out.push_back(ReadHost(s));
  }
  return out;
}

Result<HostRecord> SqliteStore::FindHost(std::string_view org_id, std::string_view host_id) {
  std::lock_guard lock(mu_);
  ASSIGN_OR_RETURN(Statement s, Prepare(sql::kFindHost));
  s.BindText(1, org_id).BindText(2, host_id);
  ASSIGN_OR_RETURN(bool row, s.Step());
  if (!row) return NotFound("no such host");
  return ReadHost(s);
}

Status SqliteStore::DeleteHost(std::string_view org_id, std::string_view host_id) {
  // One statement: ON DELETE SET NULL detaches the host's agents atomically.
  std::lock_guard lock(mu_);
  ASSIGN_OR_RETURN(Statement s, Prepare(sql::kDeleteHost));
  s.BindText(1, org_id).BindText(2, host_id);
  RETURN_IF_ERROR(s.Run());
  if (s.Changes() == 0) return NotFound("no such host");
  return Status::Ok();
}

// Audit events.

Status SqliteStore::AppendEvent(const EventRecord& event) {
  std::lock_guard lock(mu_);
  return InsertEvent(event);
}

Result<std::vector<EventRecord>> SqliteStore::ListEvents(std::string_view account_id, int limit,
                                                         std::optional<std::string> before) {
  std::vector<EventRecord> out;
  if (limit <= 0) return out;
  std::lock_guard lock(mu_);
  ASSIGN_OR_RETURN(Statement s, Prepare(before ? sql::kListEventsBefore : sql::kListEvents));
  s.BindText(1, account_id).BindInt(2, limit);
  if (before) s.BindText(3, *before);
  while (true) {
    ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) break;
    out.push_back(ReadEvent(s));
  }
  return out;
}

}  // namespace tfzo
