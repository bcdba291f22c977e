#ifndef TFZO_MODEL_STORE_H_
#define TFZO_MODEL_STORE_H_

#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/result.h"
#include "model/records.h"

namespace tfzo {

using ChangeListener = std::function<void(const Change&)>;

// Durable state of the whole system. Every method is one transaction: a change and the audit
// event that records it commit together or not at all. Implementations are thread-safe.
//
// Errors: kNotFound for a missing row, kEmailTaken / kConflict for the state conflicts named
// below, kUnavailable when the database cannot be reached, kInternal otherwise.
class Store {
 public:
  virtual ~Store() = default;

  virtual Status Ping() = 0;

  // Whether every change committed so far has reached this node's listener. Cheap (no I/O):
  // called on the hot path.
  virtual Freshness freshness() const { return Freshness{}; }

  // The per-account quotas CreateKey, CreateOrg and AcceptInvitation enforce (kQuotaExceeded):
  // none until set. Set once, before the store is shared between threads, like the listener.
  void SetQuotas(const Quotas& quotas) {
    std::lock_guard lock(listener_mu_);
    quotas_ = quotas;
  }
  Quotas quotas() const {
    std::lock_guard lock(listener_mu_);
    return quotas_;
  }

  // Registers the listener that hears every committed Change, from this node and, for a
  // shared database, from every other node. Set once, normally before the store is shared
  // between threads (a store with a background notification thread may already be
  // publishing: the swap is guarded). The listener is called after commit, on any thread.
  void SetChangeListener(ChangeListener listener) {
    auto shared = std::make_shared<const ChangeListener>(std::move(listener));
    std::lock_guard lock(listener_mu_);
    listener_ = std::move(shared);
  }

  // Accounts and sessions.
  virtual Status CreateAccount(const AccountRecord& account, const EventRecord& event) = 0;
  virtual Result<AccountRecord> FindAccount(std::string_view account_id) = 0;
  virtual Result<AccountRecord> FindAccountByEmail(std::string_view email) = 0;
  virtual Status CreateSession(const SessionRecord& session, const EventRecord& event) = 0;
  virtual Result<SessionRecord> FindSession(const Digest& token_digest) = 0;
  // FindSession and FindAccount of its account in one read: what every console request asks.
  virtual Result<SignedIn> FindSignedIn(const Digest& token_digest) = 0;
  virtual Status TouchSession(const Digest& token_digest, Time at) = 0;
  virtual Status DeleteSession(const Digest& token_digest) = 0;
  // Deletes the sessions last seen before `cutoff` (the periodic purge); the number deleted.
  virtual Result<int> DeleteSessionsIdleSince(Time cutoff) = 0;
  // The account's sessions, most recently seen first.
  virtual Result<std::vector<SessionRecord>> ListSessions(std::string_view account_id) = 0;
  // Ends the account's session whose public id is `session_id` (kNotFound when the account has
  // none such), with `event`.
  virtual Status EndSession(std::string_view account_id, std::string_view session_id,
                            const EventRecord& event) = 0;
  // Ends every session of the account but `keep` (nullopt: every one), with `event`.
  virtual Status EndOtherSessions(std::string_view account_id, std::optional<Digest> keep,
                                  const EventRecord& event) = 0;

  // Passwords and account deletion (docs/spec/API.md "Console: your credentials"). Sessions are
  // read from the store at every request (no node caches them), so ending one here ends it on
  // every node at once.
  //
  // Sets the account's password hash, ends every session of it but `keep`, and voids its
  // unused reset_password tokens, with `event` (and its mail), in one transaction.
  virtual Status SetPassword(std::string_view account_id, const std::string& password_hash,
                             std::optional<Digest> keep, const EventRecord& event) = 0;
  // Uses the reset_password token at `at` and sets its account's password hash, ending every
  // session of the account and voiding its other reset tokens, with `event`. kInvalidToken when
  // the token is unknown, used, expired or of another purpose, or the account no longer has the
  // address the link was mailed to. The account.
  virtual Result<AccountRecord> ResetPassword(const Digest& digest,
                                              const std::string& password_hash, Time at,
                                              const EventRecord& event) = 0;
  // Deletes the account at `at`, in one transaction: every key of it is revoked (one change per
  // key: every node refuses it from the next request on), every session and link token goes,
  // its pending invitations to others are canceled, it leaves every organization, and the
  // organizations it is the only member of are deleted as DeleteOrg does. Its row stays, so
  // that audit events and revoked keys still name it; its address becomes DeletedEmail(id) (the
  // address is free again), its name and password hash are cleared. kNotFound when there is no
  // such live account; kConflict, naming the organization's handle, while it is the last owner
  // of an organization that has other members.
  virtual Status DeleteAccount(std::string_view account_id, Time at, const EventRecord& event) = 0;

  // E-mail verification (docs/spec/API.md). Tokens are kept by digest (TokenRecord); a token
  // is usable until its expires_at, once. kInvalidToken for a token that is unknown, used,
  // expired or of another purpose, all alike. An address is another account's "verified"
  // address when that account's email is it and email_verified_at is set.
  //
  // Sign-up: creates `account` and `token`, the verify_email token of its address, with
  // `event` (which carries the mail with the link). kEmailTaken when an account has the address.
  virtual Status CreateAccountWithToken(const AccountRecord& account, const TokenRecord& token,
                                        const EventRecord& event) = 0;
  // Sign-up with the claim_email token `claim` for account.email: uses the token at
  // account.created_at and creates `account` with its address verified then; an account that
  // has the address without having verified it loses it (its email becomes
  // ReleasedEmail(its id)). kInvalidToken also when the token is for another address;
  // kEmailTaken when an account has the address verified.
  virtual Status CreateAccountClaiming(const AccountRecord& account, const Digest& claim,
                                       const EventRecord& event) = 0;
  virtual Status CreateToken(const TokenRecord& token, const EventRecord& event) = 0;
  virtual Result<TokenRecord> FindToken(const Digest& digest) = 0;
  // Uses the verify_email token at `at`: the token's address becomes its account's address,
  // verified (a pending change whose address it is takes effect and is cleared); an account
  // that has that address without having verified it loses it (ReleasedEmail). kInvalidToken
  // also when the address is neither the account's nor its pending one; kEmailTaken when
  // another account has it verified. The account as it is after.
  virtual Result<AccountRecord> UseVerifyToken(const Digest& digest, Time at,
                                               const EventRecord& event) = 0;
  // Sets the account's pending address to token.email and stores `token` (its verify_email
  // token). kEmailTaken when another account has that address verified.
  virtual Status RequestEmailChange(const TokenRecord& token, const EventRecord& event) = 0;

  // Two-factor sign-in (docs/spec/API.md "Two-factor sign-in"). Turning it on or off changes
  // the account (AccountRecord::two_factor) and its memberships (MembershipRecord::two_factor):
  // both are logged as changes, so every node's caches drop them.
  //
  // The account's TOTP secret, pending or active (an empty one when none); kNotFound when there
  // is no such account.
  virtual Result<TotpRecord> FindTotp(std::string_view account_id) = 0;
  // Sets a new pending secret (base32). kConflict when two-factor is on.
  virtual Status SetupTotp(std::string_view account_id, std::string_view secret) = 0;
  // Turns two-factor on with the pending secret, which must still be `secret` (else kConflict,
  // as when it is on already), `step` used, and `recovery_codes` (digests) replacing the
  // account's recovery codes.
  virtual Status EnableTotp(std::string_view account_id, std::string_view secret, int64_t step,
                            const std::vector<Digest>& recovery_codes,
                            const EventRecord& event) = 0;
  // Turns two-factor off: the secret and the recovery codes are gone. kConflict when it is off.
  virtual Status DisableTotp(std::string_view account_id, const EventRecord& event) = 0;
  // Uses a second factor at `at`, once, in one transaction: with `challenge`, the login_2fa
  // token of the account first (kInvalidToken when it is unknown, used, expired or another
  // account's); then the TOTP step, refused unless it is after the last one used, or the
  // unused recovery code (kInvalidCredentials otherwise, and the challenge stays usable).
  // `event` (optional) is recorded with it.
  virtual Status UseSecondFactor(std::string_view account_id, const SecondFactor& factor, Time at,
                                 const std::optional<Digest>& challenge,
                                 const std::optional<EventRecord>& event) = 0;

  // Organizations and members.
  // kConflict when another live organization has the handle (an empty one: see OrgRecord);
  // kQuotaExceeded when the owner is already a member of quotas().max_orgs live organizations.
  virtual Status CreateOrg(const OrgRecord& org, std::string_view owner_id,
                           const EventRecord& event) = 0;
  // A live organization (not deleted); else kNotFound.
  virtual Result<OrgRecord> FindOrg(std::string_view org_id) = 0;
  // Sets the name, handle and require_two_factor of the live organization `org.id` (kNotFound
  // when there is none; kConflict when another live organization has the handle).
  virtual Status UpdateOrg(const OrgRecord& org, const EventRecord& event) = 0;
  // The live organization's key policy (an empty OrgPolicy when none was ever set; kNotFound
  // when there is no such live organization).
  virtual Result<OrgPolicy> FindOrgPolicy(std::string_view org_id) = 0;
  // Sets the live organization's key policy (kNotFound when there is none), with `event`. A
  // change of kind org: every node drops its cached states of the organization's keys, so the
  // policy holds at their next check.
  virtual Status SetOrgPolicy(std::string_view org_id, const OrgPolicy& policy,
                              const EventRecord& event) = 0;
  // Changes a member's role. kNotFound when not a member; kConflict when it would leave the org
  // without an owner.
  virtual Status SetMemberRole(std::string_view org_id, std::string_view account_id, Role role,
                               const EventRecord& event) = 0;
  // Deletes the live organization `org_id` (else kNotFound) in one transaction: every key scoped
  // to it is revoked at `at`, its members, agents and hosts are removed, and its handle is free
  // again; its service accounts are deleted. Its row stays, so that the revoked keys still name
  // it.
  virtual Status DeleteOrg(std::string_view org_id, Time at, const EventRecord& event) = 0;
  // The account's memberships (org_id, org_name, org_handle, role), oldest org first.
  virtual Result<std::vector<MembershipRecord>> ListMemberships(std::string_view account_id) = 0;
  // The account's membership of the live org (with its two-factor fields); nullopt: not a
  // member.
  virtual Result<std::optional<MembershipRecord>> FindMembership(std::string_view org_id,
                                                                 std::string_view account_id) = 0;
  // nullopt: not a member.
  virtual Result<std::optional<Role>> FindRole(std::string_view org_id,
                                               std::string_view account_id) = 0;
  // Members (account_id, email, role), in the order they joined.
  virtual Result<std::vector<MembershipRecord>> ListMembers(std::string_view org_id) = 0;
  // kConflict when already a member.
  virtual Status AddMember(std::string_view org_id, std::string_view account_id, Role role,
                           const EventRecord& event) = 0;
  // kNotFound when not a member; kConflict when it would leave the org without an owner.
  virtual Status RemoveMember(std::string_view org_id, std::string_view account_id,
                              const EventRecord& event) = 0;

  // Service accounts (ServiceAccountRecord; docs/spec/API.md "Console: service accounts").
  // ListMemberships and FindMembership answer a live one's membership as exactly its org, role
  // member, never lacking two-factor, so its keys reach its org as a member's do.
  //
  // Creates the account row (ServiceAccountEmail(id), the name, no password) and the service
  // account, with `event`. kNotFound when the organization is not live.
  virtual Status CreateServiceAccount(const ServiceAccountRecord& account,
                                      const EventRecord& event) = 0;
  // The organization's live service accounts, oldest first.
  virtual Result<std::vector<ServiceAccountRecord>> ListServiceAccounts(
      std::string_view org_id) = 0;
  // A live service account (of a live organization); else kNotFound.
  virtual Result<ServiceAccountRecord> FindServiceAccount(std::string_view account_id) = 0;
  // Deletes the live service account (else kNotFound) at `at`, in one transaction: every key of
  // it is revoked (one change per key: every node refuses each from its next use on) and its
  // membership ends (a change too). Its rows stay, so that its revoked keys and audit events
  // still name it.
  virtual Status DeleteServiceAccount(std::string_view account_id, Time at,
                                      const EventRecord& event) = 0;

  // Invitations (docs/spec/API.md). One is pending while it is neither accepted, declined
  // nor canceled and its expires_at has not passed.
  //
  // kConflict when the address already has a pending invitation to the org at
  // invitation.created_at, or is a member's; kNotFound when the org does not exist.
  virtual Status CreateInvitation(const InvitationRecord& invitation, const EventRecord& event) = 0;
  virtual Result<InvitationRecord> FindInvitation(std::string_view invitation_id) = 0;
  // The org's invitations that are not accepted, declined or canceled (pending or expired),
  // newest first.
  virtual Result<std::vector<InvitationRecord>> ListOrgInvitations(std::string_view org_id) = 0;
  // The invitations pending at `now` to `email`, newest first.
  virtual Result<std::vector<InvitationRecord>> ListInvitationsTo(std::string_view email,
                                                                  Time now) = 0;
  // Accepts the invitation at `at` and makes the account a member of its org with its role, in
  // one transaction. kNotFound unless the invitation is pending at `at` and is to the
  // account's verified address; kConflict when the account is already a member;
  // kQuotaExceeded when it is already a member of quotas().max_orgs live organizations.
  virtual Status AcceptInvitation(std::string_view invitation_id, std::string_view account_id,
                                  Time at, const EventRecord& event) = 0;
  enum class InvitationEnd { kDecline, kCancel };
  // Declines or cancels the invitation at `at`. kNotFound unless it is pending at `at`.
  virtual Status EndInvitation(std::string_view invitation_id, InvitationEnd end, Time at,
                               const EventRecord& event) = 0;

  // API keys.
  // kNotFound when the key is scoped to an organization that is not live, or is a deleted
  // service account's. kQuotaExceeded when the account already has quotas().max_active_keys
  // active keys at key.created_at (counted with the account's row locked: two nodes cannot
  // both pass).
  virtual Status CreateKey(const KeyRecord& key, const SecretRecord& secret,
                           const EventRecord& event) = 0;
  virtual Result<KeyRecord> FindKey(std::string_view key_id) = 0;
  // The account's keys, newest first.
  virtual Result<std::vector<KeyRecord>> ListKeys(std::string_view account_id) = 0;
  // Every key scoped to the org (with the owner's email), newest first.
  virtual Result<std::vector<KeyRecord>> ListOrgKeys(std::string_view org_id) = 0;
  // One page of the keys `query` selects (keyset paging: no row before the cursor is read).
  virtual Result<KeyPage> QueryKeys(const KeyQuery& query) = 0;
  // Writes what an owner may change: name, description, expires_at, permissions and
  // allowed_ips of the key `key.id`. kNotFound when there is none.
  virtual Status UpdateKey(const KeyRecord& key, const EventRecord& event) = 0;
  // Adds `secret` and revokes the current one in one transaction: at once, or `overlap` after
  // `secret.created_at` (previous_valid_until), when it keeps working until then; an earlier
  // overlap still running ends at once, so at most two values work. Sets rotated_at and hint,
  // and replaces expires_at when `expires_at` is given. kConflict if the key is revoked.
  virtual Status RotateKey(std::string_view key_id, const SecretRecord& secret,
                           std::optional<std::optional<Time>> expires_at,
                           std::chrono::seconds overlap, const EventRecord& event) = 0;
  // Revokes the key and its secrets. Idempotent: returns the first revocation's time (and
  // records the event only the first time).
  virtual Result<Time> RevokeKey(std::string_view key_id, Time at, const EventRecord& event) = 0;
  // Revokes several keys of the account at `at` in one transaction, all or nothing: `events`
  // holds one key.revoked event per key (its target_id is the key's id). kNotFound, revoking
  // nothing, when one is not a key of the account. A key already revoked keeps its first
  // revocation time and its event is not recorded again. Each key's revoked_at after, in the
  // order of `events`. One change per key: every node drops them.
  virtual Result<std::vector<Time>> RevokeKeys(std::string_view account_id,
                                               const std::vector<EventRecord>& events, Time at) = 0;
  virtual Result<KeyState> FindKeyBySecret(const Digest& digest) = 0;
  // RevokeKey for a key whose value was reported exposed: the same transaction also sets its
  // exposed_at to `at`. A key already revoked keeps its revocation, gets no exposed_at and no
  // event (nor the event's mails); returns the first revocation's time.
  virtual Result<Time> RevokeExposedKey(std::string_view key_id, Time at,
                                        const EventRecord& event) = 0;
  // The keys of the account, and of the service accounts of the live organizations it owns,
  // reported exposed at or after `since`: newest report first, at most `limit`.
  virtual Result<std::vector<KeyRecord>> ListExposedKeys(std::string_view account_id, Time since,
                                                         int limit) = 0;
  // Key ids and their latest uses; the ids are views, valid for the call.
  using KeyUses = std::vector<std::pair<std::string_view, Time>>;
  // Records uses in one statement batch; last_used_at only moves forward.
  virtual Status RecordKeyUses(const KeyUses& uses) = 0;

  // Device authorization (docs/spec/API.md "Device authorization"), across nodes: every step is
  // one transaction on the shared database.
  //
  // Stores the new request and deletes the requests that expired before code.created_at.
  // kConflict when a request has the same user code (the caller draws another).
  virtual Status CreateDeviceCode(const DeviceCodeRecord& code) = 0;
  // The request whose user code has the digest (kNotFound when none).
  virtual Result<DeviceCodeRecord> FindDeviceCode(const Digest& user_digest) = 0;
  // Records the decision on the request: `decision.status` (kApproved with account_id, key_id
  // and sealed_secret, or kDenied with account_id) at decision.decided_at. kNotFound unless the
  // request is pending and unexpired then (one decision wins of two at once).
  virtual Status DecideDeviceCode(const Digest& user_digest, const DeviceCodeRecord& decision) = 0;
  // One poll of the device code at `at` (kNotFound when none): an unexpired request records
  // the poll; a pending one polled sooner than interval_seconds after the previous poll gets
  // `slow_down` more seconds of interval (RFC 8628 3.5) and too_soon; an approved one becomes
  // used and loses its sealed secret, which the answer still carries: a second poll never
  // sees it.
  virtual Result<DevicePoll> PollDeviceCode(const Digest& device_digest, Time at,
                                            std::chrono::seconds slow_down) = 0;

  // Agents and hosts, always within one org.
  virtual Status CreateAgent(const AgentRecord& agent) = 0;
  virtual Result<std::vector<AgentRecord>> ListAgents(std::string_view org_id) = 0;
  virtual Result<AgentRecord> FindAgent(std::string_view org_id, std::string_view agent_id) = 0;
  virtual Status DeleteAgent(std::string_view org_id, std::string_view agent_id) = 0;
  virtual Status CreateHost(const HostRecord& host) = 0;
  virtual Result<std::vector<HostRecord>> ListHosts(std::string_view org_id) = 0;
  virtual Result<HostRecord> FindHost(std::string_view org_id, std::string_view host_id) = 0;
  // Agents on the host keep existing with host_id null.
  virtual Status DeleteHost(std::string_view org_id, std::string_view host_id) = 0;

  // Audit events.
  virtual Status AppendEvent(const EventRecord& event) = 0;
  // Newest first: events whose actor is the account, events without an actor that target it
  // (someone's failed sign-in for its email), events of orgs it owns, and the reports of its
  // keys as exposed (key.exposed). With `before`,
  // only events older than that event id.
  virtual Result<std::vector<EventRecord>> ListEvents(std::string_view account_id, int limit,
                                                      std::optional<std::string> before) = 0;

  // Mail queue. A change queues its mails with its event (EventRecord::mails), in its own
  // transaction; a sender (mail/MailSender) claims each, sends it and marks what happened.
  //
  // Registers what to call (on the committing thread, after commit) when a transaction has
  // queued mail, so this node's sender starts at once instead of at its next poll. Set once,
  // like the change listener.
  void SetMailListener(std::function<void()> listener) {
    auto shared = std::make_shared<const std::function<void()>>(std::move(listener));
    std::lock_guard lock(listener_mu_);
    mail_listener_ = std::move(shared);
  }
  // The oldest mail due at `now` (not sent, not given up, its next attempt due, no lease
  // running), leased to the caller until `lease_until` and its attempt counted; nullopt when
  // none is due. Of several nodes on one database, one claims each mail: the others skip it.
  virtual Result<std::optional<QueuedMail>> ClaimMail(Time now, Time lease_until) = 0;
  // Sent: records it and forgets its text and html (a link token must not outlive the send).
  virtual Status MarkMailSent(int64_t mail_id, Time at) = 0;
  // Not sent: tries again at `next_attempt_at` (the lease ends), keeping `error`.
  virtual Status RetryMail(int64_t mail_id, Time next_attempt_at, std::string_view error) = 0;
  // Given up: never tried again; its text and html are forgotten, `error` kept.
  virtual Status FailMail(int64_t mail_id, Time at, std::string_view error) = 0;
  // Notices about keys that no request causes (the periodic expiry job). Unrevoked keys that
  // expire after `after` and at or before `until` and have no `notice` recorded for that
  // expiration, soonest first (with the owner's email).
  virtual Result<std::vector<KeyRecord>> ListKeysForNotice(std::string_view notice, Time after,
                                                           Time until) = 0;
  // Records `notice` for the key's expiration `expires_at` and queues `mail`, in one
  // transaction: false, queueing nothing, when that notice was already recorded (by any node).
  virtual Result<bool> QueueKeyNotice(std::string_view key_id, std::string_view notice,
                                      Time expires_at, const MailMessage& mail, Time at) = 0;

  // Periodic jobs (docs/DESIGN.md "Periodic jobs"): of several nodes on one database, one runs
  // each job per interval. Runs `run` (on this thread) when this node claims the job `job` at
  // `now`: no run of it started in the `interval` before `now` (a row per job records its last
  // run, on any node) and, on a shared database, no other node is running it now (PostgreSQL: an
  // advisory lock held until `run` returns, by a transaction that ends with its connection, so a
  // node that dies mid-run blocks no one and its run is not recorded). True when `run` ran.
  virtual Result<bool> RunJob(std::string_view job, Time now, std::chrono::seconds interval,
                              const std::function<void()>& run) = 0;
  // The keys the unused-key revocation job revokes at `now`, each with its organization's
  // revoke_unused_after_days N (org_policies): active keys (not revoked, not expired) scoped to a
  // live organization with that rule (its service accounts' keys included), last used, or
  // created or rotated when not used since, N days before `now` or earlier. Oldest first, with
  // the owner's email.
  virtual Result<std::vector<std::pair<KeyRecord, int>>> ListUnusedKeys(Time now) = 0;

 protected:
  void Publish(const Change& change) const {
    std::shared_ptr<const ChangeListener> listener;
    {
      std::lock_guard lock(listener_mu_);
      listener = listener_;
    }
    if (listener && *listener) (*listener)(change);
  }

  // Tells the mail listener that a committed transaction queued mail.
  void MailQueued() const {
    std::shared_ptr<const std::function<void()>> listener;
    {
      std::lock_guard lock(listener_mu_);
      listener = mail_listener_;
    }
    if (listener && *listener) (*listener)();
  }

 private:
  mutable std::mutex listener_mu_;
  std::shared_ptr<const ChangeListener> listener_;
  std::shared_ptr<const std::function<void()>> mail_listener_;
  Quotas quotas_;
};

}  // namespace tfzo

#endif  // TFZO_MODEL_STORE_H_
