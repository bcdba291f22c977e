#include "store/postgres_store.h"

#include <algorithm>
#include <utility>

#include "store/migrations.h"
#include "store/postgres_migrator.h"
#include "store/statements.h"

namespace tfzo {
namespace {

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

// A text[] literal for unnest(): every element double-quoted, '"' and '\' escaped.
std::string TextArray(const std::vector<std::pair<std::string, Time>>& uses) {
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

std::string TimeArray(const std::vector<std::pair<std::string, Time>>& uses) {
  std::string out = "{";
  for (size_t i = 0; i < uses.size(); ++i) {
    if (i > 0) out += ',';
    out += std::to_string(ToUnix(uses[i].second));
  }
  return out + "}";
}

// SQL of this store only; the statements both stores run are in statements.h.

constexpr char kNotify[] = "SELECT pg_notify('tfzo_changes', $1)";

constexpr char kTouchSession[] =
    "UPDATE sessions SET last_seen_at = GREATEST(last_seen_at, $2::bigint) "
    "WHERE token_digest = $1";

// The org's owners and the account leaving, locked in one order (so two concurrent removals
// cannot deadlock) before the last-owner rule is checked.
constexpr char kLockOwnersAndMember[] =
    "SELECT account_id, role FROM memberships WHERE org_id = $1 "
    "AND (role = 'owner' OR account_id = $2) ORDER BY account_id FOR UPDATE";

constexpr char kLockKey[] = "SELECT revoked_at FROM api_keys WHERE id = $1 FOR UPDATE";
// Several nodes flush uses concurrently: lock the rows in one order first (no deadlock), then
// one UPDATE for the batch, whose WHERE is re-checked on the locked row, so the latest time
// wins and last_used_at never moves back.
constexpr char kLockUsedKeys[] =
    "SELECT id FROM api_keys WHERE id = ANY($1::text[]) ORDER BY id FOR UPDATE";
constexpr char kRecordUses[] =
    "UPDATE api_keys k SET last_used_at = GREATEST(COALESCE(k.last_used_at, 0), u.at) "
    "FROM (SELECT id, MAX(at) AS at FROM unnest($1::text[], $2::bigint[]) AS t(id, at) "
    "GROUP BY id) u "
    "WHERE k.id = u.id AND (k.last_used_at IS NULL OR k.last_used_at < u.at)";

AccountRecord ReadAccount(const PgResult& r, int i) {
  return AccountRecord{.id = r.Text(i, 0),
                       .email = r.Text(i, 1),
                       .name = r.Text(i, 2),
                       .password_hash = r.Text(i, 3),
                       .created_at = r.TimeAt(i, 4)};
}

MembershipRecord ReadMembership(const PgResult& r, int i) {
  return MembershipRecord{.org_id = r.Text(i, 0),
                          .org_name = r.Text(i, 1),
                          .account_id = r.Text(i, 2),
                          .email = r.Text(i, 3),
                          .role = ParseRole(r.Text(i, 4)).value_or(Role::kMember)};
}

KeyRecord ReadKey(const PgResult& r, int i) {
  return KeyRecord{.id = r.Text(i, 0),
                   .account_id = r.Text(i, 1),
                   .name = r.Text(i, 2),
                   .description = r.Text(i, 3),
                   .hint = r.Text(i, 4),
                   .org_id = r.OptText(i, 5),
                   .created_at = r.TimeAt(i, 6),
                   .expires_at = r.OptTime(i, 7),
                   .last_used_at = r.OptTime(i, 8),
                   .rotated_at = r.OptTime(i, 9),
                   .revoked_at = r.OptTime(i, 10),
                   .org_name = r.Text(i, 11),
                   .email = r.Text(i, 12)};
}

AgentRecord ReadAgent(const PgResult& r, int i) {
  return AgentRecord{.id = r.Text(i, 0),
                     .org_id = r.Text(i, 1),
                     .name = r.Text(i, 2),
                     .host_id = r.OptText(i, 3),
                     .created_at = r.TimeAt(i, 4)};
}

HostRecord ReadHost(const PgResult& r, int i) {
  return HostRecord{.id = r.Text(i, 0),
                    .org_id = r.Text(i, 1),
                    .name = r.Text(i, 2),
                    .address = r.Text(i, 3),
                    .created_at = r.TimeAt(i, 4)};
}

EventRecord ReadEvent(const PgResult& r, int i) {
  return EventRecord{.id = r.Text(i, 0),
                     .at = r.TimeAt(i, 1),
                     .action = r.Text(i, 2),
                     .actor_id = r.OptText(i, 3),
                     .org_id = r.OptText(i, 4),
                     .target_id = r.Text(i, 5),
                     .ip = r.Text(i, 6)};
}

Status InsertEvent(PgConnection& c, const EventRecord& e) {
  return c
      .Exec(sql::kInsertEvent, {PgText(e.id), PgTime(e.at), PgText(e.action), PgOptText(e.actor_id),
                                PgOptText(e.org_id), PgText(e.target_id), PgText(e.ip)})
      .status();
}

Status Notify(PgConnection& c, const Change& change) {
  return c.Exec(kNotify, {EncodeChange(change)}).status();
}

Change KeyChange(std::string_view key_id) {
  return Change{Change::Kind::kKey, std::string(key_id), "", ""};
}

Change MembershipChange(std::string_view org_id, std::string_view account_id) {
  return Change{Change::Kind::kMembership, "", std::string(org_id), std::string(account_id)};
}

}  // namespace

// A borrowed pool connection, handed back on destruction. Move-only.
class PostgresStore::Lease {
 public:
  Lease(PostgresStore* store, PgConnection* conn) : store_(store), conn_(conn) {}
  Lease(Lease&& other) noexcept
      : store_(other.store_), conn_(std::exchange(other.conn_, nullptr)) {}
  Lease& operator=(Lease&&) = delete;
  ~Lease() {
    if (conn_ != nullptr) store_->Return(conn_);
  }
  PgConnection& operator*() const { return *conn_; }
  PgConnection* operator->() const { return conn_; }

 private:
  PostgresStore* store_;
  PgConnection* conn_;
};

PostgresStore::PostgresStore(std::vector<std::unique_ptr<PgConnection>> pool)
    : pool_(std::move(pool)) {
  for (auto& c : pool_) free_.push_back(c.get());
}

PostgresStore::~PostgresStore() {
  listener_.reset();  // no more Publish() from its thread
}

Result<std::unique_ptr<PostgresStore>> PostgresStore::Open(const std::string& url) {
  std::vector<std::unique_ptr<PgConnection>> pool;
  for (int i = 0; i < kPoolSize; ++i) {
    ASSIGN_OR_RETURN(std::unique_ptr<PgConnection> conn, PgConnection::Connect(url));
    pool.push_back(std::move(conn));
  }
  ASSIGN_OR_RETURN(std::vector<Migration> migrations,
                   LoadMigrations(migrations::Files(), SqlDialect::kPostgres));
  RETURN_IF_ERROR(ApplyPostgresMigrations(*pool.front(), migrations));
  std::unique_ptr<PostgresStore> store(new PostgresStore(std::move(pool)));
  PostgresStore* self = store.get();
  ASSIGN_OR_RETURN(store->listener_, PostgresListener::Start(
                                         url, [self](const Change& c) { self->Publish(c); },
                                         [self](int pid) {
                                           for (const auto& conn : self->pool_) {
                                             if (conn->backend_pid() == pid) return true;
                                           }
                                           return false;
                                         }));
  return Result<std::unique_ptr<PostgresStore>>(std::move(store));
}

PostgresStore::Lease PostgresStore::Borrow() {
  std::unique_lock lock(mu_);
  free_cv_.wait(lock, [this] { return !free_.empty(); });
  PgConnection* conn = free_.back();
  free_.pop_back();
  return Lease(this, conn);
}

void PostgresStore::Return(PgConnection* conn) {
  {
    std::lock_guard lock(mu_);
    free_.push_back(conn);
  }
  free_cv_.notify_one();
}

template <typename Body>
auto PostgresStore::Run(Mode mode, Body&& body) -> decltype(body(std::declval<PgConnection&>())) {
  Lease conn = Borrow();
  for (int attempt = 0;; ++attempt) {
    const bool may_retry = attempt == 0;
    if (conn->broken()) RETURN_IF_ERROR(conn->Reset());
    if (mode == Mode::kRead) {
      auto result = body(*conn);
      if (!StatusOf(result).ok() && conn->broken() && may_retry) continue;
      return result;
    }
    Status begin = conn->Exec("BEGIN").status();
    if (!begin.ok()) {
      if (conn->broken() && may_retry) continue;
      return begin;
    }
    auto result = body(*conn);
    Status status = StatusOf(result);
    if (!status.ok()) {
      // Nothing was committed: a connection lost mid-transaction is worth one more try.
      if (conn->broken()) {
        if (may_retry) continue;
      } else {
        (void)conn->Exec("ROLLBACK");
      }
      return status;
    }
    // A COMMIT that fails on a lost connection may or may not have committed: no retry.
    Status commit = conn->Exec("COMMIT").status();
    if (!commit.ok()) {
      if (!conn->broken()) (void)conn->Exec("ROLLBACK");
      return commit;
    }
    return result;
  }
}

Status PostgresStore::Ping() {
  return Run(Mode::kRead, [&](PgConnection& c) { return c.Exec("SELECT 1").status(); });
}

// Accounts and sessions.

Status PostgresStore::CreateAccount(const AccountRecord& account, const EventRecord& event) {
  const std::string email = Lower(account.email);
  return Run(Mode::kTransaction, [&](PgConnection& c) -> Status {
    ASSIGN_OR_RETURN(PgResult taken, c.Exec(sql::kEmailExists, {email}));
    if (taken.rows() > 0) {
      return Status(StatusCode::kEmailTaken, "an account with this email already exists");
    }
    // A concurrent sign-up with the same email loses on the unique index: kEmailTaken too.
    RETURN_IF_ERROR(
        c.Exec(sql::kInsertAccount, {PgText(account.id), email, PgText(account.name),
                                     PgText(account.password_hash), PgTime(account.created_at)})
            .status());
    return InsertEvent(c, event);
  });
}

Result<AccountRecord> PostgresStore::FindAccount(std::string_view account_id) {
  return Run(Mode::kRead, [&](PgConnection& c) -> Result<AccountRecord> {
    ASSIGN_OR_RETURN(PgResult r, c.Exec(sql::kFindAccount, {PgText(account_id)}));
    if (r.rows() == 0) return NotFound("no such account");
    return ReadAccount(r, 0);
  });
}

Result<AccountRecord> PostgresStore::FindAccountByEmail(std::string_view email) {
  return Run(Mode::kRead, [&](PgConnection& c) -> Result<AccountRecord> {
    ASSIGN_OR_RETURN(PgResult r, c.Exec(sql::kFindAccountByEmail, {Lower(email)}));
    if (r.rows() == 0) return NotFound("no such account");
    return ReadAccount(r, 0);
  });
}

Status PostgresStore::CreateSession(const SessionRecord& session, const EventRecord& event) {
  return Run(Mode::kTransaction, [&](PgConnection& c) -> Status {
    RETURN_IF_ERROR(
        c.Exec(sql::kInsertSession,
               {ToHex(session.token_digest), PgText(session.account_id), PgText(session.csrf_token),
                PgTime(session.created_at), PgTime(session.last_seen_at)})
            .status());
    return InsertEvent(c, event);
  });
}

Result<SessionRecord> PostgresStore::FindSession(const Digest& token_digest) {
  return Run(Mode::kRead, [&](PgConnection& c) -> Result<SessionRecord> {
    ASSIGN_OR_RETURN(PgResult r, c.Exec(sql::kFindSession, {ToHex(token_digest)}));
    if (r.rows() == 0) return NotFound("no such session");
    return SessionRecord{.token_digest = token_digest,
                         .account_id = r.Text(0, 0),
                         .csrf_token = r.Text(0, 1),
                         .created_at = r.TimeAt(0, 2),
                         .last_seen_at = r.TimeAt(0, 3)};
  });
}

Status PostgresStore::TouchSession(const Digest& token_digest, Time at) {
  return Run(Mode::kTransaction, [&](PgConnection& c) -> Status {
    ASSIGN_OR_RETURN(PgResult r, c.Exec(kTouchSession, {ToHex(token_digest), PgTime(at)}));
    if (r.affected() == 0) return NotFound("no such session");
    return Status::Ok();
  });
}

Status PostgresStore::DeleteSession(const Digest& token_digest) {
  return Run(Mode::kTransaction, [&](PgConnection& c) -> Status {
    ASSIGN_OR_RETURN(PgResult r, c.Exec(sql::kDeleteSession, {ToHex(token_digest)}));
    if (r.affected() == 0) return NotFound("no such session");
    return Status::Ok();
  });
}

Status PostgresStore::DeleteSessionsIdleSince(Time cutoff) {
  return Run(Mode::kTransaction, [&](PgConnection& c) {
    return c.Exec(sql::kDeleteIdleSessions, {PgTime(cutoff)}).status();
  });
}

// Organizations and members.

Status PostgresStore::CreateOrg(const OrgRecord& org, std::string_view owner_id,
                                const EventRecord& event) {
  const Change change = MembershipChange(org.id, owner_id);
  Status result = Run(Mode::kTransaction, [&](PgConnection& c) -> Status {
    RETURN_IF_ERROR(
        c.Exec(sql::kInsertOrg, {PgText(org.id), PgText(org.name), PgTime(org.created_at)})
            .status());
    RETURN_IF_ERROR(
        c.Exec(sql::kInsertMembership, {PgText(org.id), PgText(owner_id),
                                        PgText(RoleName(Role::kOwner)), PgTime(org.created_at)})
            .status());
    RETURN_IF_ERROR(InsertEvent(c, event));
    return Notify(c, change);
  });
  if (result.ok()) Publish(change);
  return result;
}

Result<OrgRecord> PostgresStore::FindOrg(std::string_view org_id) {
  return Run(Mode::kRead, [&](PgConnection& c) -> Result<OrgRecord> {
    ASSIGN_OR_RETURN(PgResult r, c.Exec(sql::kFindOrg, {PgText(org_id)}));
    if (r.rows() == 0) return NotFound("no such organization");
    return OrgRecord{.id = r.Text(0, 0), .name = r.Text(0, 1), .created_at = r.TimeAt(0, 2)};
  });
}

Result<std::vector<MembershipRecord>> PostgresStore::ListMemberships(std::string_view account_id) {
  return Run(Mode::kRead, [&](PgConnection& c) -> Result<std::vector<MembershipRecord>> {
    ASSIGN_OR_RETURN(PgResult r, c.Exec(sql::kListMemberships, {PgText(account_id)}));
    std::vector<MembershipRecord> out;
    for (int i = 0; i < r.rows(); ++i) out.push_back(ReadMembership(r, i));
    return out;
  });
}

Result<std::optional<Role>> PostgresStore::FindRole(std::string_view org_id,
                                                    std::string_view account_id) {
  return Run(Mode::kRead, [&](PgConnection& c) -> Result<std::optional<Role>> {
    ASSIGN_OR_RETURN(PgResult r, c.Exec(sql::kFindRole, {PgText(org_id), PgText(account_id)}));
    if (r.rows() == 0) return std::optional<Role>();
    return ParseRole(r.Text(0, 0));
  });
}

Result<std::vector<MembershipRecord>> PostgresStore::ListMembers(std::string_view org_id) {
  return Run(Mode::kRead, [&](PgConnection& c) -> Result<std::vector<MembershipRecord>> {
    ASSIGN_OR_RETURN(PgResult r, c.Exec(sql::kListMembers, {PgText(org_id)}));
    std::vector<MembershipRecord> out;
    for (int i = 0; i < r.rows(); ++i) out.push_back(ReadMembership(r, i));
    return out;
  });
}

Status PostgresStore::AddMember(std::string_view org_id, std::string_view account_id, Role role,
                                const EventRecord& event) {
  const Change change = MembershipChange(org_id, account_id);
  Status result = Run(Mode::kTransaction, [&](PgConnection& c) -> Status {
    ASSIGN_OR_RETURN(PgResult found, c.Exec(sql::kFindRole, {PgText(org_id), PgText(account_id)}));
    if (found.rows() > 0) return Conflict("the account is already a member of this organization");
    // A concurrent add of the same member loses on the primary key: kConflict too.
    RETURN_IF_ERROR(c.Exec(sql::kInsertMembership, {PgText(org_id), PgText(account_id),
                                                    PgText(RoleName(role)), PgTime(event.at)})
                        .status());
    RETURN_IF_ERROR(InsertEvent(c, event));
    return Notify(c, change);
  });
  if (result.ok()) Publish(change);
  return result;
}

Status PostgresStore::RemoveMember(std::string_view org_id, std::string_view account_id,
                                   const EventRecord& event) {
  const Change change = MembershipChange(org_id, account_id);
  Status result = Run(Mode::kTransaction, [&](PgConnection& c) -> Status {
    ASSIGN_OR_RETURN(PgResult locked,
                     c.Exec(kLockOwnersAndMember, {PgText(org_id), PgText(account_id)}));
    std::optional<Role> role;
    int owners = 0;
    for (int i = 0; i < locked.rows(); ++i) {
      const std::optional<Role> r = ParseRole(locked.Text(i, 1));
      if (r == Role::kOwner) ++owners;
      if (locked.Text(i, 0) == account_id) role = r;
    }
    if (!role.has_value()) return NotFound("the account is not a member of this organization");
    if (role == Role::kOwner && owners <= 1) {
      return Conflict("the last owner cannot leave the organization");
    }
    RETURN_IF_ERROR(c.Exec(sql::kDeleteMembership, {PgText(org_id), PgText(account_id)}).status());
    RETURN_IF_ERROR(InsertEvent(c, event));
    return Notify(c, change);
  });
  if (result.ok()) Publish(change);
  return result;
}

// API keys.

Status PostgresStore::CreateKey(const KeyRecord& key, const SecretRecord& secret,
                                const EventRecord& event) {
  return Run(Mode::kTransaction, [&](PgConnection& c) -> Status {
    RETURN_IF_ERROR(
        c.Exec(sql::kInsertKey,
               {PgText(key.id), PgText(key.account_id), PgText(key.name), PgText(key.description),
                PgText(key.hint.empty() ? secret.hint : key.hint), PgOptText(key.org_id),
                PgTime(key.created_at), PgOptTime(key.expires_at), PgOptTime(key.last_used_at),
                PgOptTime(key.rotated_at), PgOptTime(key.revoked_at)})
            .status());
    RETURN_IF_ERROR(
        c.Exec(sql::kInsertSecret, {ToHex(secret.digest), PgText(key.id), PgText(secret.hint),
                                    PgTime(secret.created_at), PgOptTime(secret.revoked_at)})
            .status());
    return InsertEvent(c, event);
  });
}

Result<std::vector<KeyRecord>> PostgresStore::QueryKeys(const char* sql, std::string_view arg) {
  return Run(Mode::kRead, [&](PgConnection& c) -> Result<std::vector<KeyRecord>> {
    ASSIGN_OR_RETURN(PgResult r, c.Exec(sql, {PgText(arg)}));
    std::vector<KeyRecord> out;
    for (int i = 0; i < r.rows(); ++i) out.push_back(ReadKey(r, i));
    return out;
  });
}

Result<KeyRecord> PostgresStore::FindKey(std::string_view key_id) {
  ASSIGN_OR_RETURN(std::vector<KeyRecord> keys, QueryKeys(sql::kFindKey, key_id));
  if (keys.empty()) return NotFound("no such key");
  return std::move(keys.front());
}

Result<std::vector<KeyRecord>> PostgresStore::ListKeys(std::string_view account_id) {
  return QueryKeys(sql::kListKeys, account_id);
}

Result<std::vector<KeyRecord>> PostgresStore::ListOrgKeys(std::string_view org_id) {
  return QueryKeys(sql::kListOrgKeys, org_id);
}

Status PostgresStore::UpdateKey(std::string_view key_id, const std::string& name,
                                const std::string& description, const EventRecord& event) {
  const Change change = KeyChange(key_id);
  Status result = Run(Mode::kTransaction, [&](PgConnection& c) -> Status {
    ASSIGN_OR_RETURN(PgResult r, c.Exec(sql::kUpdateKey, {PgText(key_id), name, description}));
    if (r.affected() == 0) return NotFound("no such key");
    RETURN_IF_ERROR(InsertEvent(c, event));
    return Notify(c, change);
  });
  if (result.ok()) Publish(change);
  return result;
}

Status PostgresStore::RotateKey(std::string_view key_id, const SecretRecord& secret,
                                std::optional<std::optional<Time>> expires_at,
                                const EventRecord& event) {
  const Change change = KeyChange(key_id);
  Status result = Run(Mode::kTransaction, [&](PgConnection& c) -> Status {
    // The key row's lock serializes rotations and revocations of this key across nodes.
    ASSIGN_OR_RETURN(PgResult key, c.Exec(kLockKey, {PgText(key_id)}));
    if (key.rows() == 0) return NotFound("no such key");
    if (!key.IsNull(0, 0)) return Conflict("a revoked key cannot be rotated");
    RETURN_IF_ERROR(
        c.Exec(sql::kRevokeSecrets, {PgText(key_id), PgTime(secret.created_at)}).status());
    RETURN_IF_ERROR(
        c.Exec(sql::kInsertSecret, {ToHex(secret.digest), PgText(key_id), PgText(secret.hint),
                                    PgTime(secret.created_at), std::nullopt})
            .status());
    RETURN_IF_ERROR(
        c.Exec(sql::kSetRotated, {PgText(key_id), PgText(secret.hint), PgTime(secret.created_at)})
            .status());
    if (expires_at.has_value()) {
      RETURN_IF_ERROR(c.Exec(sql::kSetExpires, {PgText(key_id), PgOptTime(*expires_at)}).status());
    }
    RETURN_IF_ERROR(InsertEvent(c, event));
    return Notify(c, change);
  });
  if (result.ok()) Publish(change);
  return result;
}

Result<Time> PostgresStore::RevokeKey(std::string_view key_id, Time at, const EventRecord& event) {
  const Change change = KeyChange(key_id);
  Result<Time> result = Run(Mode::kTransaction, [&](PgConnection& c) -> Result<Time> {
    ASSIGN_OR_RETURN(PgResult key, c.Exec(kLockKey, {PgText(key_id)}));
    if (key.rows() == 0) return NotFound("no such key");
    if (!key.IsNull(0, 0)) return key.TimeAt(0, 0);  // already revoked: no change, no event
    RETURN_IF_ERROR(c.Exec(sql::kSetRevoked, {PgText(key_id), PgTime(at)}).status());
    RETURN_IF_ERROR(c.Exec(sql::kRevokeSecrets, {PgText(key_id), PgTime(at)}).status());
    RETURN_IF_ERROR(InsertEvent(c, event));
    RETURN_IF_ERROR(Notify(c, change));
    return at;
  });
  if (result.ok()) Publish(change);
  return result;
}

Result<KeyState> PostgresStore::FindKeyBySecret(const Digest& digest) {
  return Run(Mode::kRead, [&](PgConnection& c) -> Result<KeyState> {
    ASSIGN_OR_RETURN(PgResult r, c.Exec(sql::kFindKeyBySecret, {ToHex(digest)}));
    if (r.rows() == 0) return NotFound("no such key");
    return KeyState{.key_id = r.Text(0, 0),
                    .account_id = r.Text(0, 1),
                    .org_id = r.OptText(0, 2),
                    .expires_at = r.OptTime(0, 3),
                    .key_revoked_at = r.OptTime(0, 4),
                    .secret_revoked_at = r.OptTime(0, 5)};
  });
}

Status PostgresStore::RecordKeyUses(const std::vector<std::pair<std::string, Time>>& uses) {
  if (uses.empty()) return Status::Ok();
  const std::string ids = TextArray(uses);
  const std::string times = TimeArray(uses);
  return Run(Mode::kTransaction, [&](PgConnection& c) -> Status {
    RETURN_IF_ERROR(c.Exec(kLockUsedKeys, {ids}).status());
    return c.Exec(kRecordUses, {ids, times}).status();
  });
}

// Agents and hosts.

Status PostgresStore::CreateAgent(const AgentRecord& agent) {
  return Run(Mode::kTransaction, [&](PgConnection& c) -> Status {
    if (agent.host_id.has_value()) {
      ASSIGN_OR_RETURN(PgResult host,
                       c.Exec(sql::kHostInOrg, {PgText(*agent.host_id), PgText(agent.org_id)}));
      if (host.rows() == 0) return NotFound("no such host in this organization");
    }
    return c
        .Exec(sql::kInsertAgent, {PgText(agent.id), PgText(agent.org_id), PgText(agent.name),
                                  PgOptText(agent.host_id), PgTime(agent.created_at)})
        .status();
  });
}

Result<std::vector<AgentRecord>> PostgresStore::ListAgents(std::string_view org_id) {
  return Run(Mode::kRead, [&](PgConnection& c) -> Result<std::vector<AgentRecord>> {
    ASSIGN_OR_RETURN(PgResult r, c.Exec(sql::kListAgents, {PgText(org_id)}));
    std::vector<AgentRecord> out;
    for (int i = 0; i < r.rows(); ++i) out.push_back(ReadAgent(r, i));
    return out;
  });
}

Result<AgentRecord> PostgresStore::FindAgent(std::string_view org_id, std::string_view agent_id) {
  return Run(Mode::kRead, [&](PgConnection& c) -> Result<AgentRecord> {
    ASSIGN_OR_RETURN(PgResult r, c.Exec(sql::kFindAgent, {PgText(org_id), PgText(agent_id)}));
    if (r.rows() == 0) return NotFound("no such agent");
    return ReadAgent(r, 0);
  });
}

Status PostgresStore::DeleteAgent(std::string_view org_id, std::string_view agent_id) {
  return Run(Mode::kTransaction, [&](PgConnection& c) -> Status {
    ASSIGN_OR_RETURN(PgResult r, c.Exec(sql::kDeleteAgent, {PgText(org_id), PgText(agent_id)}));
    if (r.affected() == 0) return NotFound("no such agent");
    return Status::Ok();
  });
}

Status PostgresStore::CreateHost(const HostRecord& host) {
  return Run(Mode::kTransaction, [&](PgConnection& c) {
    return c
        .Exec(sql::kInsertHost, {PgText(host.id), PgText(host.org_id), PgText(host.name),
                                 PgText(host.address), PgTime(host.created_at)})
        .status();
  });
}

Result<std::vector<HostRecord>> PostgresStore::ListHosts(std::string_view org_id) {
  return Run(Mode::kRead, [&](PgConnection& c) -> Result<std::vector<HostRecord>> {
    ASSIGN_OR_RETURN(PgResult r, c.Exec(sql::kListHosts, {PgText(org_id)}));
    std::vector<HostRecord> out;
    for (int i = 0; i < r.rows(); ++i) out.push_back(ReadHost(r, i));
    return out;
  });
}

Result<HostRecord> PostgresStore::FindHost(std::string_view org_id, std::string_view host_id) {
  return Run(Mode::kRead, [&](PgConnection& c) -> Result<HostRecord> {
    ASSIGN_OR_RETURN(PgResult r, c.Exec(sql::kFindHost, {PgText(org_id), PgText(host_id)}));
    if (r.rows() == 0) return NotFound("no such host");
    return ReadHost(r, 0);
  });
}

Status PostgresStore::DeleteHost(std::string_view org_id, std::string_view host_id) {
  // One statement: ON DELETE SET NULL detaches the host's agents atomically.
  return Run(Mode::kTransaction, [&](PgConnection& c) -> Status {
    ASSIGN_OR_RETURN(PgResult r, c.Exec(sql::kDeleteHost, {PgText(org_id), PgText(host_id)}));
    if (r.affected() == 0) return NotFound("no such host");
    return Status::Ok();
  });
}

// Audit events.

Status PostgresStore::AppendEvent(const EventRecord& event) {
  return Run(Mode::kTransaction, [&](PgConnection& c) { return InsertEvent(c, event); });
}

Result<std::vector<EventRecord>> PostgresStore::ListEvents(std::string_view account_id, int limit,
                                                           std::optional<std::string> before) {
  std::vector<EventRecord> out;
  if (limit <= 0) return out;
  return Run(Mode::kRead, [&](PgConnection& c) -> Result<std::vector<EventRecord>> {
    std::vector<PgParam> params = {PgText(account_id), PgInt(limit)};
    if (before) params.push_back(*before);
    ASSIGN_OR_RETURN(PgResult r,
                     c.Exec(before ? sql::kListEventsBefore : sql::kListEvents, params));
    for (int i = 0; i < r.rows(); ++i) out.push_back(ReadEvent(r, i));
    return out;
  });
}

}  // namespace tfzo
