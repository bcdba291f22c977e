#ifndef TFZO_STORE_SQL_STORE_H_
#define TFZO_STORE_SQL_STORE_H_

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "model/store.h"
#include "store/sql_database.h"

namespace tfzo {

// The Store over SQL: every method written once, over the statements of statements.h, on an
// SqlDatabase that holds what differs between engines: SqliteDatabase (one file, the default)
// or PostgresDatabase (several nodes on one database). Owned by whoever opened it (through
// OpenStore, normally); owns its database. Thread-safe: calls run on the database's
// connections as it allows (SQLite one at a time, PostgreSQL a connection each).
//
// Beyond store.h: emails are lower-cased (ASCII) on write and lookup; a reference to a missing
// row (unknown account, org or host, or a host of another org) is kNotFound; a duplicate id or
// digest is kConflict; RecordKeyUses skips unknown keys; ListEvents with an unknown `before`
// id or a limit <= 0 returns no events. Every multi-step method is one kWrite transaction;
// a rotation, revocation or member removal first reads the key row (or the org's owner rows)
// with FOR UPDATE, so that concurrent nodes serialize on it; an organization's deletion locks
// its row, which the creation of a key scoped to it reads FOR SHARE.
//
// Mail: InsertEvent queues the event's mails (EventRecord::mails) in the event's own
// transaction, and a committed write that queued any tells the store's mail listener.
//
// Changes: a transaction that changes what caches hold appends its changes to the change log
// (migrations/0003_change_log.sql: the next sequence number, in the same transaction), tells
// the database (Notify, inside the transaction, so other nodes hear it only once committed)
// and, after commit, publishes the change itself, synchronously, so this node's caches are
// dropped before it answers.
class SqlStore final : public Store {
 public:
  // Changes the log keeps: a node that missed more (disconnected for that many changes) drops
  // its whole cache instead of catching up.
  static constexpr int64_t kKeptChanges = 100000;

  // Takes over `database` and starts hearing other nodes' changes through it.
  static Result<std::unique_ptr<SqlStore>> Open(std::unique_ptr<SqlDatabase> database);

  ~SqlStore() override;
  SqlStore(const SqlStore&) = delete;
  SqlStore& operator=(const SqlStore&) = delete;

  Status Ping() override;
  Freshness freshness() const override;

  Status CreateAccount(const AccountRecord& account, const EventRecord& event) override;
  Result<AccountRecord> FindAccount(std::string_view account_id) override;
  Result<AccountRecord> FindAccountByEmail(std::string_view email) override;
  Status CreateSession(const SessionRecord& session, const EventRecord& event) override;
  Result<SessionRecord> FindSession(const Digest& token_digest) override;
  Result<SignedIn> FindSignedIn(const Digest& token_digest) override;
  Status TouchSession(const Digest& token_digest, Time at) override;
  Status DeleteSession(const Digest& token_digest) override;
  Result<int> DeleteSessionsIdleSince(Time cutoff) override;
  Result<std::vector<SessionRecord>> ListSessions(std::string_view account_id) override;
  Status EndSession(std::string_view account_id, std::string_view session_id,
                    const EventRecord& event) override;
  Status EndOtherSessions(std::string_view account_id, std::optional<Digest> keep,
                          const EventRecord& event) override;
  Status SetPassword(std::string_view account_id, const std::string& password_hash,
                     std::optional<Digest> keep, const EventRecord& event) override;
  Result<AccountRecord> ResetPassword(const Digest& digest, const std::string& password_hash,
                                      Time at, const EventRecord& event) override;
  Status DeleteAccount(std::string_view account_id, Time at, const EventRecord& event) override;

  Status CreateAccountWithToken(const AccountRecord& account, const TokenRecord& token,
                                const EventRecord& event) override;
  Status CreateAccountClaiming(const AccountRecord& account, const Digest& claim,
                               const EventRecord& event) override;
  Status CreateToken(const TokenRecord& token, const EventRecord& event) override;
  Result<TokenRecord> FindToken(const Digest& digest) override;
  Result<AccountRecord> UseVerifyToken(const Digest& digest, Time at,
                                       const EventRecord& event) override;
  Status RequestEmailChange(const TokenRecord& token, const EventRecord& event) override;

  Result<TotpRecord> FindTotp(std::string_view account_id) override;
  Status SetupTotp(std::string_view account_id, std::string_view secret) override;
  Status EnableTotp(std::string_view account_id, std::string_view secret, int64_t step,
                    const std::vector<Digest>& recovery_codes, const EventRecord& event) override;
  Status DisableTotp(std::string_view account_id, const EventRecord& event) override;
  Status UseSecondFactor(std::string_view account_id, const SecondFactor& factor, Time at,
                         const std::optional<Digest>& challenge,
                         const std::optional<EventRecord>& event) override;

  Status CreateOrg(const OrgRecord& org, std::string_view owner_id,
                   const EventRecord& event) override;
  Result<OrgRecord> FindOrg(std::string_view org_id) override;
  Status UpdateOrg(const OrgRecord& org, const EventRecord& event) override;
  Result<OrgPolicy> FindOrgPolicy(std::string_view org_id) override;
  Status SetOrgPolicy(std::string_view org_id, const OrgPolicy& policy,
                      const EventRecord& event) override;
  Status SetMemberRole(std::string_view org_id, std::string_view account_id, Role role,
                       const EventRecord& event) override;
  Status DeleteOrg(std::string_view org_id, Time at, const EventRecord& event) override;
  Result<std::vector<MembershipRecord>> ListMemberships(std::string_view account_id) override;
  Status CreateServiceAccount(const ServiceAccountRecord& account,
                              const EventRecord& event) override;
  Result<std::vector<ServiceAccountRecord>> ListServiceAccounts(std::string_view org_id) override;
  Result<ServiceAccountRecord> FindServiceAccount(std::string_view account_id) override;
  Status DeleteServiceAccount(std::string_view account_id, Time at,
                              const EventRecord& event) override;
  Result<std::optional<MembershipRecord>> FindMembership(std::string_view org_id,
                                                         std::string_view account_id) override;
  Result<std::optional<Role>> FindRole(std::string_view org_id,
                                       std::string_view account_id) override;
  Result<std::vector<MembershipRecord>> ListMembers(std::string_view org_id) override;
  Status AddMember(std::string_view org_id, std::string_view account_id, Role role,
                   const EventRecord& event) override;
  Status RemoveMember(std::string_view org_id, std::string_view account_id,
                      const EventRecord& event) override;

  Status CreateInvitation(const InvitationRecord& invitation, const EventRecord& event) override;
  Result<InvitationRecord> FindInvitation(std::string_view invitation_id) override;
  Result<std::vector<InvitationRecord>> ListOrgInvitations(std::string_view org_id) override;
  Result<std::vector<InvitationRecord>> ListInvitationsTo(std::string_view email,
                                                          Time now) override;
  Status AcceptInvitation(std::string_view invitation_id, std::string_view account_id, Time at,
                          const EventRecord& event) override;
  Status EndInvitation(std::string_view invitation_id, InvitationEnd end, Time at,
                       const EventRecord& event) override;

  Status CreateKey(const KeyRecord& key, const SecretRecord& secret,
                   const EventRecord& event) override;
  Result<KeyRecord> FindKey(std::string_view key_id) override;
  Result<std::vector<KeyRecord>> ListKeys(std::string_view account_id) override;
  Result<std::vector<KeyRecord>> ListOrgKeys(std::string_view org_id) override;
  Result<KeyPage> QueryKeys(const KeyQuery& query) override;
  Status UpdateKey(const KeyRecord& key, const EventRecord& event) override;
  Status RotateKey(std::string_view key_id, const SecretRecord& secret,
                   std::optional<std::optional<Time>> expires_at, std::chrono::seconds overlap,
                   const EventRecord& event) override;
  Result<Time> RevokeKey(std::string_view key_id, Time at, const EventRecord& event) override;
  Result<std::vector<Time>> RevokeKeys(std::string_view account_id,
                                       const std::vector<EventRecord>& events, Time at) override;
  Result<KeyState> FindKeyBySecret(const Digest& digest) override;
  Result<Time> RevokeExposedKey(std::string_view key_id, Time at,
                                const EventRecord& event) override;
  Result<std::vector<KeyRecord>> ListExposedKeys(std::string_view account_id, Time since,
                                                 int limit) override;
  Status RecordKeyUses(const KeyUses& uses) override;

  Status CreateDeviceCode(const DeviceCodeRecord& code) override;
  Result<DeviceCodeRecord> FindDeviceCode(const Digest& user_digest) override;
  Status DecideDeviceCode(const Digest& user_digest, const DeviceCodeRecord& decision) override;
  Result<DevicePoll> PollDeviceCode(const Digest& device_digest, Time at,
                                    std::chrono::seconds slow_down) override;

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

  Result<std::optional<QueuedMail>> ClaimMail(Time now, Time lease_until) override;
  Status MarkMailSent(int64_t mail_id, Time at) override;
  Status RetryMail(int64_t mail_id, Time next_attempt_at, std::string_view error) override;
  Status FailMail(int64_t mail_id, Time at, std::string_view error) override;
  Result<std::vector<KeyRecord>> ListKeysForNotice(std::string_view notice, Time after,
                                                   Time until) override;
  Result<bool> QueueKeyNotice(std::string_view key_id, std::string_view notice, Time expires_at,
                              const MailMessage& mail, Time at) override;

  Result<bool> RunJob(std::string_view job, Time now, std::chrono::seconds interval,
                      const std::function<void()>& run) override;
  Result<std::vector<std::pair<KeyRecord, int>>> ListUnusedKeys(Time now) override;

 private:
  explicit SqlStore(std::unique_ptr<SqlDatabase> database);

  // Runs `body` as one kWrite; once it committed, tells the mail listener if it queued mail
  // (InsertEvent with mails). Every write that inserts an event runs through Commit or Write.
  template <typename Body>
  auto Commit(Body&& body) -> decltype(body(std::declval<SqlConnection&>()));
  // Commit that also appends `change` (dated `at`) to the change log, and publishes it,
  // numbered, once it committed.
  template <typename Body>
  auto Write(Change change, Time at, Body&& body) -> decltype(body(std::declval<SqlConnection&>()));
  // The same for a transaction that finds out what it changes: body(conn, changes) appends its
  // changes (one per key, membership or account), each logged and published in that order.
  template <typename Body>
  auto Write(Time at, Body&& body)
      -> decltype(body(std::declval<SqlConnection&>(), std::declval<std::vector<Change>&>()));
  // RevokeKey, and RevokeExposedKey when `exposed`.
  Result<Time> RevokeOneKey(std::string_view key_id, Time at, const EventRecord& event,
                            bool exposed);
  // Inside a kWrite: numbers `change`, logs it, prunes the log and notifies other nodes.
  Result<int64_t> AppendChange(SqlConnection& c, Change& change, Time at);

  std::unique_ptr<SqlDatabase> db_;  // reset first on destruction: its listener publishes here
};

}  // namespace tfzo

#endif  // TFZO_STORE_SQL_STORE_H_
