#ifndef TFZO_STORE_SQLITE_STORE_H_
#define TFZO_STORE_SQLITE_STORE_H_

#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include "model/store.h"

struct sqlite3;
struct sqlite3_stmt;

namespace tfzo {

// The embedded Store: one SQLite file in WAL mode (or ":memory:" for tests), foreign keys on,
// every multi-step method in one BEGIN IMMEDIATE transaction. Owned by whoever opened it
// (through OpenStore, normally). Thread-safe: one connection and its prepared statements
// behind one mutex, so calls run one at a time; the hot path reads its in-memory cache, not
// this. Several processes may share the file (busy_timeout waits for the writer lock).
//
// Beyond store.h: emails are lower-cased (ASCII) on write and lookup; a reference to a
// missing row (unknown account, org or host, or a host of another org) is kNotFound; a
// duplicate id or digest is kConflict; RecordKeyUses skips unknown keys; ListEvents with an
// unknown `before` id or a limit <= 0 returns no events.
class SqliteStore final : public Store {
 public:
  // Opens `path` (":memory:" for a private in-memory database) and applies pending
  // migrations. A missing file is created with mode 0600, its missing directories with 0700.
  static Result<std::unique_ptr<SqliteStore>> Open(const std::string& path);

  ~SqliteStore() override;
  SqliteStore(const SqliteStore&) = delete;
  SqliteStore& operator=(const SqliteStore&) = delete;

  Status Ping() override;

  Status CreateAccount(const AccountRecord& account, const EventRecord& event) override;
  Result<AccountRecord> FindAccount(std::string_view account_id) override;
  Result<AccountRecord> FindAccountByEmail(std::string_view email) override;
  Status CreateSession(const SessionRecord& session, const EventRecord& event) override;
  Result<SessionRecord> FindSession(const Digest& token_digest) override;
  Status TouchSession(const Digest& token_digest, Time at) override;
  Status DeleteSession(const Digest& token_digest) override;
  Status DeleteSessionsIdleSince(Time cutoff) override;

  Status CreateOrg(const OrgRecord& org, std::string_view owner_id,
                   const EventRecord& event) override;
  Result<OrgRecord> FindOrg(std::string_view org_id) override;
  Result<std::vector<MembershipRecord>> ListMemberships(std::string_view account_id) override;
  Result<std::optional<Role>> FindRole(std::string_view org_id,
                                       std::string_view account_id) override;
  Result<std::vector<MembershipRecord>> ListMembers(std::string_view org_id) override;
  Status AddMember(std::string_view org_id, std::string_view account_id, Role role,
                   const EventRecord& event) override;
  Status RemoveMember(std::string_view org_id, std::string_view account_id,
                      const EventRecord& event) override;

  Status CreateKey(const KeyRecord& key, const SecretRecord& secret,
                   const EventRecord& event) override;
  Result<KeyRecord> FindKey(std::string_view key_id) override;
  Result<std::vector<KeyRecord>> ListKeys(std::string_view account_id) override;
  Result<std::vector<KeyRecord>> ListOrgKeys(std::string_view org_id) override;
  Status UpdateKey(std::string_view key_id, const std::string& name, const std::string& description,
                   const EventRecord& event) override;
  Status RotateKey(std::string_view key_id, const SecretRecord& secret,
                   std::optional<std::optional<Time>> expires_at,
                   const EventRecord& event) override;
  Result<Time> RevokeKey(std::string_view key_id, Time at, const EventRecord& event) override;
  Result<KeyState> FindKeyBySecret(const Digest& digest) override;
  Status RecordKeyUses(const std::vector<std::pair<std::string, Time>>& uses) override;

  Status CreateAgent(const AgentRecord& agent) override;
  Result<std::vector<AgentRecord>> ListAgents(std::string_view org_id) override;
  Result<AgentRecord> FindAgent(std::string_view org_id, std::string_view agent_id) override;
  Status DeleteAgent(std::string_view org_id, std::string_view agent_id) override;
  Status CreateHost(const HostRecord& host) override;
  Result<std::vector<HostRecord>> ListHosts(std::string_view org_id) override;
  Result<HostRecord> FindHost(std::string_view org_id, std::string_view host_id) override;
  Status DeleteHost(std::string_view org_id, std::string_view host_id) override;

  Status AppendEvent(const EventRecord& event) override;
  Result<std::vector<EventRecord>> ListEvents(std::string_view account_id, int limit,
                                              std::optional<std::string> before) override;

 private:
  class Statement;

  explicit SqliteStore(sqlite3* db);

  // Both require mu_ held.
  Result<Statement> Prepare(const char* sql);
  Status Exec(const char* sql);
  // Runs `body` under mu_ inside BEGIN IMMEDIATE ... COMMIT; rolls back when it fails.
  template <typename Body>
  auto InTransaction(Body&& body) -> decltype(body());
  Status InsertEvent(const EventRecord& event);  // requires mu_ held
  Result<std::vector<KeyRecord>> QueryKeys(const char* sql, std::string_view arg);

  std::mutex mu_;
  sqlite3* const db_;
  std::unordered_map<const char*, sqlite3_stmt*> statements_;  // keyed by the static SQL text
};

}  // namespace tfzo

#endif  // TFZO_STORE_SQLITE_STORE_H_
