#ifndef TFZO_STORE_POSTGRES_STORE_H_
#define TFZO_STORE_POSTGRES_STORE_H_

#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "model/store.h"
#include "store/pg_connection.h"
#include "store/postgres_listener.h"

namespace tfzo {

// The shared Store: one PostgreSQL database for several server nodes. Owned by whoever opened
// it (through OpenStore, normally). Thread-safe: a small fixed pool of libpq connections, each
// call borrows one (waiting while all are busy). Same semantics as SqliteStore (see its notes);
// every multi-step method is one READ COMMITTED transaction, and the key row (or the org's
// owner rows) is locked with SELECT ... FOR UPDATE before a rotation, revocation or member
// removal decides anything, so concurrent nodes serialize on it.
//
// Changes: each changing transaction also runs pg_notify('tfzo_changes', ...), so every node's
// PostgresListener hears it after commit; the node that made the change also publishes it
// itself, synchronously after commit, so its own caches are dropped before it answers (and its
// listener skips the notifications of its own connections).
//
// A connection found broken (the database restarted) is reset on its next use; a call whose
// connection broke before anything was committed is retried once on the reset connection.
// When the database cannot be reached, calls answer kUnavailable.
class PostgresStore final : public Store {
 public:
  static constexpr int kPoolSize = 4;

  // Connects to `url` (postgresql://...), applies pending migrations and starts listening for
  // other nodes' changes. kUnavailable when the database cannot be reached; the URL (which
  // may hold a password) never appears in an error.
  static Result<std::unique_ptr<PostgresStore>> Open(const std::string& url);

  ~PostgresStore() override;
  PostgresStore(const PostgresStore&) = delete;
  PostgresStore& operator=(const PostgresStore&) = delete;

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
  class Lease;
  enum class Mode { kRead, kTransaction };

  explicit PostgresStore(std::vector<std::unique_ptr<PgConnection>> pool);

  Lease Borrow();
  void Return(PgConnection* conn);
  // Runs `body(conn)` on a borrowed connection: as is (kRead) or between BEGIN and COMMIT
  // (kTransaction, rolled back when it fails). Resets a broken connection first, and retries
  // once when the connection broke before anything could have been committed.
  template <typename Body>
  auto Run(Mode mode, Body&& body) -> decltype(body(std::declval<PgConnection&>()));
  Result<std::vector<KeyRecord>> QueryKeys(const char* sql, std::string_view arg);

  std::mutex mu_;
  std::condition_variable free_cv_;
  std::vector<std::unique_ptr<PgConnection>> pool_;
  std::vector<PgConnection*> free_;             // guarded by mu_
  std::unique_ptr<PostgresListener> listener_;  // set by Open; stopped first on destruction
};

}  // namespace tfzo

#endif  // TFZO_STORE_POSTGRES_STORE_H_
