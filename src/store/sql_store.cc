#include "store/sql_store.h"

#include <algorithm>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "model/key_flags.h"
#include "store/sql_records.h"
#include "store/statements.h"

namespace tfzo {
namespace {

using Mode = SqlDatabase::Mode;

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

// Runs `body(conn)` on `db` and returns what it returned, or the error that kept it from
// running or committing.
template <typename Body>
auto Run(SqlDatabase& db, Mode mode, Body&& body)
    -> decltype(body(std::declval<SqlConnection&>())) {
  std::optional<decltype(body(std::declval<SqlConnection&>()))> result;
  const Status status = db.Run(mode, [&](SqlConnection& c) -> Status {
    result.emplace(body(c));  // a retried body replaces its failed run's result
    return StatusOf(*result);
  });
  if (!status.ok()) return status;
  return std::move(*result);
}

template <typename Read>
using ReadType = std::invoke_result_t<Read, const SqlRow&>;

// Every row, read with `read`; kInternal when `read` named a column the statement lacks.
template <typename Read>
Result<std::vector<ReadType<Read>>> All(const Result<SqlRows>& rows, Read read) {
  if (!rows.ok()) return rows.status();
  std::vector<ReadType<Read>> out;
  out.reserve(static_cast<size_t>(rows->size()));
  for (int i = 0; i < rows->size(); ++i) out.push_back(read((*rows)[i]));
  RETURN_IF_ERROR(rows->CheckColumns());
  return out;
}

// The first row, read with `read`; kNotFound(`not_found`) when there is none.
template <typename Read>
Result<ReadType<Read>> First(const Result<SqlRows>& rows, Read read, const char* not_found) {
  if (!rows.ok()) return rows.status();
  if (rows->empty()) return NotFound(not_found);
  ReadType<Read> out = read((*rows)[0]);
  RETURN_IF_ERROR(rows->CheckColumns());
  return out;
}

// The rows ExecLater set, as Exec answers them.
Result<SqlRows> Sent(const std::optional<SqlRows>& rows) {
  if (!rows) return Internal("a statement held back by ExecLater never ran");
  return *rows;
}

// kNotFound(`not_found`) when the statement changed no row.
Status Changed(const Result<SqlRows>& rows, const char* not_found) {
  if (!rows.ok()) return rows.status();
  return rows->affected() == 0 ? NotFound(not_found) : Status::Ok();
}

// The methods that are one statement.

template <typename Read>
Result<std::vector<ReadType<Read>>> ReadAll(SqlDatabase& db, const char* sql, SqlParams params,
                                            Read read) {
  return Run(db, Mode::kRead, [&](SqlConnection& c) { return All(c.Exec(sql, params), read); });
}

template <typename Read>
Result<ReadType<Read>> ReadFirst(SqlDatabase& db, const char* sql, SqlParams params, Read read,
                                 const char* not_found) {
  return Run(db, Mode::kRead,
             [&](SqlConnection& c) { return First(c.ExecUpTo(sql, params, 1), read, not_found); });
}

Status WriteOne(SqlDatabase& db, const char* sql, SqlParams params) {
  return Run(db, Mode::kWrite, [&](SqlConnection& c) { return c.Exec(sql, params).status(); });
}

// kNotFound(`not_found`) when it changed no row.
Status ChangeOne(SqlDatabase& db, const char* sql, SqlParams params, const char* not_found) {
  return Run(db, Mode::kWrite,
             [&](SqlConnection& c) { return Changed(c.Exec(sql, params), not_found); });
}

// Set by a transaction's body that queued mail, on the thread running it (both engines run a
// body on the caller's thread); SqlStore::Commit reads and clears it once the body committed.
thread_local bool t_mail_queued = false;

Status InsertMail(SqlConnection& c, const MailMessage& m, Time at) {
  RETURN_IF_ERROR(c.Send(sql::kInsertMail, {m.to, m.subject, m.text, m.html, at}));
  t_mail_queued = true;
  return Status::Ok();
}

// The event and the mails it sends, in the caller's transaction.
Status InsertEvent(SqlConnection& c, const EventRecord& e) {
  RETURN_IF_ERROR(
      c.Send(sql::kInsertEvent, {e.id, e.at, e.action, e.actor_id, e.org_id, e.target_id, e.ip}));
  for (const MailMessage& mail : e.mails) RETURN_IF_ERROR(InsertMail(c, mail, e.at));
  return Status::Ok();
}

QueuedMail ReadQueuedMail(const SqlRow& r) {
  return QueuedMail{.id = r.Int("id"),
                    .message = {.to = r.Text("recipient"),
                                .subject = r.Text("subject"),
                                .text = r.Text("text"),
                                .html = r.Text("html")},
                    .created_at = r.TimeAt("created_at"),
                    .attempts = static_cast<int>(r.Int("attempts")) + 1};
}

Change KeyChange(std::string_view key_id) {
  return Change{.kind = Change::Kind::kKey, .key_id = std::string(key_id)};
}

Change MembershipChange(std::string_view org_id, std::string_view account_id) {
  return Change{.kind = Change::Kind::kMembership,
                .org_id = std::string(org_id),
                .account_id = std::string(account_id)};
}

Change OrgChange(std::string_view org_id) {
  return Change{.kind = Change::Kind::kOrg, .org_id = std::string(org_id)};
}

Change AccountChange(std::string_view account_id) {
  return Change{.kind = Change::Kind::kAccount, .account_id = std::string(account_id)};
}

std::optional<std::string> NonEmpty(const std::string& s) {
  return s.empty() ? std::nullopt : std::optional<std::string>(s);
}

std::string_view ChangeKindName(Change::Kind kind) {
  switch (kind) {
    case Change::Kind::kKey:
      return "key";
    case Change::Kind::kAccount:
      return "account";
    case Change::Kind::kOrg:
      return "org";
    case Change::Kind::kMembership:
    case Change::Kind::kEverything:
      break;
  }
  return "membership";
}

Status InvalidToken() {
  return Status(StatusCode::kInvalidToken, "unknown, used or expired token");
}

Status InsertToken(SqlConnection& c, const TokenRecord& t) {
  return c
      .Exec(sql::kInsertToken,
            {t.digest, t.purpose, t.account_id, Lower(t.email), t.created_at, t.expires_at})
      .status();
}

// Uses the token of `purpose` at `at` (kInvalidToken when it cannot be): its account and address.
Result<std::pair<std::string, std::string>> UseToken(SqlConnection& c, const Digest& digest,
                                                     std::string_view purpose, Time at) {
  ASSIGN_OR_RETURN(SqlRows rows, c.Exec(sql::kUseToken, {digest, at, purpose}));
  if (rows.empty()) return InvalidToken();
  std::pair<std::string, std::string> used(rows[0].Text("account_id"), rows[0].Text("email"));
  RETURN_IF_ERROR(rows.CheckColumns());
  return used;
}

// Inside a kWrite, before `email` is given to account `account_id` as a verified address (or
// to a new account): another account that has it is locked; if it has not verified it, it
// loses it (ReleasedEmail), and its change is added; if it has, kEmailTaken.
Status ReleaseUnverifiedHolder(SqlConnection& c, const std::string& email,
                               std::string_view account_id, std::vector<Change>& changes) {
  const auto read = [](const SqlRow& r) {
    return std::pair(r.Text("id"), r.OptTime("email_verified_at").has_value());
  };
  ASSIGN_OR_RETURN(auto holders, All(c.Exec(sql::kLockEmailHolder, {email, account_id}), read));
  for (const auto& [holder, verified] : holders) {
    if (verified) {
      return Status(StatusCode::kEmailTaken, "another account has this address, verified");
    }
    RETURN_IF_ERROR(c.Exec(sql::kReleaseEmail, {holder, ReleasedEmail(holder)}).status());
    changes.push_back(AccountChange(holder));
  }
  return Status::Ok();
}

// The org's handle; an empty one is derived from the id, as migration 0005 derived the handles
// of the organizations made before them ("org_2NxRg..." -> "org-2nxrg...").
std::string HandleOf(const OrgRecord& org) {
  if (!org.handle.empty()) return org.handle;
  std::string handle = Lower(org.id);
  for (char& c : handle) {
    if (c == '_') c = '-';
  }
  return handle;
}

// kConflict when a live organization other than `org_id` has `handle`.
Status CheckHandleFree(SqlConnection& c, const std::string& handle, std::string_view org_id) {
  ASSIGN_OR_RETURN(SqlRows taken, c.Exec(sql::kHandleTaken, {handle, org_id}));
  return taken.empty() ? Status::Ok() : Conflict("another organization has this handle");
}

std::string ReadId(const SqlRow& r) { return r.Text("id"); }
std::string ReadAccountId(const SqlRow& r) { return r.Text("account_id"); }

// Inside a kWrite: locks the org's owners and the member `account_id` (in one order, so that
// concurrent changes cannot deadlock) and says how many owners there are and the member's role
// (nullopt: not a member), for the last-owner rule.
struct OwnersAndMember {
  int owners = 0;
  std::optional<Role> role;
};
Result<OwnersAndMember> LockOwnersAndMember(SqlConnection& c, std::string_view org_id,
                                            std::string_view account_id) {
  const auto read = [](const SqlRow& r) { return std::pair(r.Text("account_id"), ReadRole(r)); };
  ASSIGN_OR_RETURN(auto locked, All(c.Exec(sql::kLockOwnersAndMember, {org_id, account_id}), read));
  OwnersAndMember out;
  for (const auto& [id, role] : locked) {
    if (role == Role::kOwner) ++out.owners;
    if (id == account_id) out.role = role;
  }
  return out;
}

// '' for no session to keep: no digest is empty, so every session matches.
std::string KeepParam(const std::optional<Digest>& keep) { return keep ? ToHex(*keep) : ""; }

// Inside a kWrite: deletes the live organization `org_id` (else kNotFound): revokes every key
// scoped to it, removes its members, agents and hosts, deletes its service accounts, frees its
// handle, and adds one change per revoked key and per former member (service accounts too), so
// that every node drops each.
Status DeleteOrgIn(SqlConnection& c, std::string_view org_id, Time at,
                   std::vector<Change>& changes) {
  RETURN_IF_ERROR(
      First(c.Exec(sql::kLockLiveOrg, {org_id}), ReadId, "no such organization").status());
  ASSIGN_OR_RETURN(auto keys, All(c.Exec(sql::kLockOrgLiveKeys, {org_id}), ReadId));
  ASSIGN_OR_RETURN(auto members, All(c.Exec(sql::kOrgMemberIds, {org_id}), ReadAccountId));
  RETURN_IF_ERROR(c.Exec(sql::kRevokeOrgSecrets, {org_id, at}).status());
  RETURN_IF_ERROR(c.Exec(sql::kRevokeOrgKeys, {org_id, at}).status());
  RETURN_IF_ERROR(c.Exec(sql::kDeleteOrgAgents, {org_id}).status());
  RETURN_IF_ERROR(c.Exec(sql::kDeleteOrgHosts, {org_id}).status());
  ASSIGN_OR_RETURN(auto service_accounts,
                   All(c.Exec(sql::kOrgServiceAccountIds, {org_id}), ReadAccountId));
  RETURN_IF_ERROR(c.Exec(sql::kDeleteOrgMemberships, {org_id}).status());
  RETURN_IF_ERROR(c.Exec(sql::kDeleteOrgServiceAccounts, {org_id, at}).status());
  RETURN_IF_ERROR(c.Exec(sql::kSetOrgDeleted, {org_id, at}).status());
  for (const std::string& key : keys) changes.push_back(KeyChange(key));
  for (const std::string& account : members) changes.push_back(MembershipChange(org_id, account));
  for (const std::string& account : service_accounts)
    changes.push_back(MembershipChange(org_id, account));
  return Status::Ok();
}

}  // namespace

SqlStore::SqlStore(std::unique_ptr<SqlDatabase> database) : db_(std::move(database)) {}

SqlStore::~SqlStore() {
  db_.reset();  // no more Publish() from its listener
}

Result<std::unique_ptr<SqlStore>> SqlStore::Open(std::unique_ptr<SqlDatabase> database) {
  std::unique_ptr<SqlStore> store(new SqlStore(std::move(database)));
  SqlStore* self = store.get();
  RETURN_IF_ERROR(store->db_->Listen([self](const Change& c) { self->Publish(c); }));
  return Result<std::unique_ptr<SqlStore>>(std::move(store));
}

template <typename Body>
auto SqlStore::Commit(Body&& body) -> decltype(body(std::declval<SqlConnection&>())) {
  t_mail_queued = false;
  auto result = Run(*db_, Mode::kWrite, std::forward<Body>(body));
  if (std::exchange(t_mail_queued, false) && StatusOf(result).ok()) MailQueued();
  return result;
}

template <typename Body>
auto SqlStore::Write(Change change, Time at, Body&& body)
    -> decltype(body(std::declval<SqlConnection&>())) {
  return Write(at, [&](SqlConnection& c, std::vector<Change>& changes) {
    changes.push_back(change);
    return body(c);
  });
}

template <typename Body>
auto SqlStore::Write(Time at, Body&& body)
    -> decltype(body(std::declval<SqlConnection&>(), std::declval<std::vector<Change>&>())) {
  std::vector<Change> changes;
  auto result = Commit([&](SqlConnection& c) {
    changes.clear();  // a body run again starts over
    auto done = body(c, changes);
    if (StatusOf(done).ok()) {
      for (Change& change : changes) {
        Result<int64_t> seq = AppendChange(c, change, at);
        if (!seq.ok()) return decltype(done)(seq.status());
      }
    }
    return done;
  });
  if (StatusOf(result).ok()) {
    for (const Change& change : changes) Publish(change);
  }
  return result;
}

Result<int64_t> SqlStore::AppendChange(SqlConnection& c, Change& change, Time at) {
  ASSIGN_OR_RETURN(const int64_t seq,
                   First(
                       c.Exec(sql::kNextChangeSeq, {}),
                       [](const SqlRow& r) { return r.Int("seq"); }, "no change counter"));
  RETURN_IF_ERROR(
      c.Send(sql::kInsertChange, {seq, ChangeKindName(change.kind), NonEmpty(change.key_id),
                                  NonEmpty(change.org_id), NonEmpty(change.account_id), at}));
  RETURN_IF_ERROR(c.Send(sql::kPruneChanges, {seq - kKeptChanges}));
  change.seq = seq;
  RETURN_IF_ERROR(db_->Notify(c, change));
  return seq;
}

Freshness SqlStore::freshness() const { return db_->freshness(); }

Status SqlStore::Ping() {
  return Run(*db_, Mode::kRead, [&](SqlConnection& c) { return c.Exec(sql::kPing, {}).status(); });
}

// Accounts and sessions.

Status SqlStore::CreateAccount(const AccountRecord& account, const EventRecord& event) {
  const std::string email = Lower(account.email);
  return Commit([&](SqlConnection& c) -> Status {
    ASSIGN_OR_RETURN(SqlRows taken, c.Exec(sql::kEmailExists, {email}));
    if (!taken.empty()) {
      return Status(StatusCode::kEmailTaken, "an account with this email already exists");
    }
    // A concurrent sign-up with the same email loses on the unique index: kEmailTaken too.
    RETURN_IF_ERROR(c.Exec(sql::kInsertAccount, {account.id, email, account.name,
                                                 account.password_hash, account.created_at})
                        .status());
    return InsertEvent(c, event);
  });
}

Result<AccountRecord> SqlStore::FindAccount(std::string_view account_id) {
  return ReadFirst(*db_, sql::kFindAccount, {account_id}, ReadAccount, "no such account");
}

Result<AccountRecord> SqlStore::FindAccountByEmail(std::string_view email) {
  return ReadFirst(*db_, sql::kFindAccountByEmail, {Lower(email)}, ReadAccount, "no such account");
}

Status SqlStore::CreateSession(const SessionRecord& session, const EventRecord& event) {
  return Commit([&](SqlConnection& c) -> Status {
    RETURN_IF_ERROR(
        c.Exec(sql::kInsertSession,
               {session.token_digest, session.account_id, session.csrf_token, session.created_at,
                session.last_seen_at, session.id, session.ip, session.user_agent})
            .status());
    return InsertEvent(c, event);
  });
}

Result<SessionRecord> SqlStore::FindSession(const Digest& token_digest) {
  ASSIGN_OR_RETURN(SessionRecord session, ReadFirst(*db_, sql::kFindSession, {token_digest},
                                                    ReadSession, "no such session"));
  session.token_digest = token_digest;
  return session;
}

Result<SignedIn> SqlStore::FindSignedIn(const Digest& token_digest) {
  ASSIGN_OR_RETURN(SignedIn found, ReadFirst(*db_, sql::kFindSignedIn, {token_digest}, ReadSignedIn,
                                             "no such session"));
  found.session.token_digest = token_digest;
  return found;
}

Status SqlStore::TouchSession(const Digest& token_digest, Time at) {
  return ChangeOne(*db_, sql::kTouchSession, {token_digest, at}, "no such session");
}

Status SqlStore::DeleteSession(const Digest& token_digest) {
  return ChangeOne(*db_, sql::kDeleteSession, {token_digest}, "no such session");
}

Result<int> SqlStore::DeleteSessionsIdleSince(Time cutoff) {
  return Run(*db_, Mode::kWrite, [&](SqlConnection& c) -> Result<int> {
    ASSIGN_OR_RETURN(SqlRows rows, c.Exec(sql::kDeleteIdleSessions, {cutoff}));
    return static_cast<int>(rows.affected());
  });
}

Result<std::vector<SessionRecord>> SqlStore::ListSessions(std::string_view account_id) {
  return ReadAll(*db_, sql::kListSessions, {account_id}, ReadSession);
}

Status SqlStore::EndSession(std::string_view account_id, std::string_view session_id,
                            const EventRecord& event) {
  return Commit([&](SqlConnection& c) -> Status {
    RETURN_IF_ERROR(
        Changed(c.Exec(sql::kDeleteSessionById, {account_id, session_id}), "no such session"));
    return InsertEvent(c, event);
  });
}

Status SqlStore::EndOtherSessions(std::string_view account_id, std::optional<Digest> keep,
                                  const EventRecord& event) {
  return Commit([&](SqlConnection& c) -> Status {
    RETURN_IF_ERROR(c.Exec(sql::kDeleteOtherSessions, {account_id, KeepParam(keep)}).status());
    return InsertEvent(c, event);
  });
}

// Passwords and account deletion.

Status SqlStore::SetPassword(std::string_view account_id, const std::string& password_hash,
                             std::optional<Digest> keep, const EventRecord& event) {
  return Commit([&](SqlConnection& c) -> Status {
    RETURN_IF_ERROR(
        Changed(c.Exec(sql::kSetPasswordHash, {account_id, password_hash}), "no such account"));
    RETURN_IF_ERROR(c.Exec(sql::kDeleteOtherSessions, {account_id, KeepParam(keep)}).status());
    RETURN_IF_ERROR(c.Exec(sql::kVoidResetTokens, {account_id, event.at}).status());
    return InsertEvent(c, event);
  });
}

Result<AccountRecord> SqlStore::ResetPassword(const Digest& digest,
                                              const std::string& password_hash, Time at,
                                              const EventRecord& event) {
  return Commit([&](SqlConnection& c) -> Result<AccountRecord> {
    ASSIGN_OR_RETURN(auto used, UseToken(c, digest, TokenRecord::kResetPassword, at));
    const auto& [account_id, email] = used;
    ASSIGN_OR_RETURN(AccountRecord account, First(c.Exec(sql::kFindAccount, {account_id}),
                                                  ReadAccount, "no such account"));
    // A link mailed to an address the account has since left proves nothing about it now.
    if (account.email != email) return InvalidToken();
    RETURN_IF_ERROR(
        Changed(c.Exec(sql::kSetPasswordHash, {account_id, password_hash}), "no such account"));
    RETURN_IF_ERROR(c.Exec(sql::kDeleteAccountSessions, {account_id}).status());
    RETURN_IF_ERROR(c.Exec(sql::kVoidResetTokens, {account_id, at}).status());
    RETURN_IF_ERROR(InsertEvent(c, event));
    account.password_hash = password_hash;
    return account;
  });
}

Status SqlStore::DeleteAccount(std::string_view account_id, Time at, const EventRecord& event) {
  return Write(at, [&](SqlConnection& c, std::vector<Change>& changes) -> Status {
    RETURN_IF_ERROR(
        First(c.Exec(sql::kLockLiveAccount, {account_id}), ReadId, "no such account").status());
    const auto read_org = [](const SqlRow& r) {
      return std::pair(r.Text("org_id"), r.Text("handle"));
    };
    ASSIGN_OR_RETURN(auto orgs, All(c.Exec(sql::kAccountOrgs, {account_id}), read_org));
    for (const auto& [org_id, handle] : orgs) {
      ASSIGN_OR_RETURN(OwnersAndMember locked, LockOwnersAndMember(c, org_id, account_id));
      if (!locked.role) continue;  // left it meanwhile
      ASSIGN_OR_RETURN(auto members, All(c.Exec(sql::kOrgMemberIds, {org_id}), ReadAccountId));
      if (members.size() == 1) {  // the only member: the organization goes with the account
        RETURN_IF_ERROR(DeleteOrgIn(c, org_id, at, changes));
        continue;
      }
      if (locked.role == Role::kOwner && locked.owners <= 1) {
        return Conflict("account: you are the last owner of the organization " + handle +
                        ", which has other members: make one of them an owner, or delete the "
                        "organization, first");
      }
      RETURN_IF_ERROR(c.Exec(sql::kDeleteMembership, {org_id, account_id}).status());
      changes.push_back(MembershipChange(org_id, account_id));
    }
    // One change per key revoked: every node refuses each from its next use on.
    ASSIGN_OR_RETURN(auto keys, All(c.Exec(sql::kLockAccountLiveKeys, {account_id}), ReadId));
    RETURN_IF_ERROR(c.Exec(sql::kRevokeAccountSecrets, {account_id, at}).status());
    RETURN_IF_ERROR(c.Exec(sql::kRevokeAccountKeys, {account_id, at}).status());
    for (const std::string& key : keys) changes.push_back(KeyChange(key));
    RETURN_IF_ERROR(c.Exec(sql::kDeleteAccountSessions, {account_id}).status());
    RETURN_IF_ERROR(c.Exec(sql::kDeleteAccountTokens, {account_id}).status());
    RETURN_IF_ERROR(c.Exec(sql::kCancelInvitationsBy, {account_id, at}).status());
    RETURN_IF_ERROR(
        c.Exec(sql::kSetAccountDeleted, {account_id, DeletedEmail(account_id), at}).status());
    changes.push_back(AccountChange(account_id));
    return InsertEvent(c, event);
  });
}

// E-mail verification.

Status SqlStore::CreateAccountWithToken(const AccountRecord& account, const TokenRecord& token,
                                        const EventRecord& event) {
  const std::string email = Lower(account.email);
  return Commit([&](SqlConnection& c) -> Status {
    ASSIGN_OR_RETURN(SqlRows taken, c.Exec(sql::kEmailExists, {email}));
    if (!taken.empty()) {
      return Status(StatusCode::kEmailTaken, "an account with this email already exists");
    }
    RETURN_IF_ERROR(c.Exec(sql::kInsertAccount, {account.id, email, account.name,
                                                 account.password_hash, account.created_at})
                        .status());
    RETURN_IF_ERROR(InsertToken(c, token));
    return InsertEvent(c, event);
  });
}

Status SqlStore::CreateAccountClaiming(const AccountRecord& account, const Digest& claim,
                                       const EventRecord& event) {
  const std::string email = Lower(account.email);
  return Write(event.at, [&](SqlConnection& c, std::vector<Change>& changes) -> Status {
    ASSIGN_OR_RETURN(auto used, UseToken(c, claim, TokenRecord::kClaimEmail, account.created_at));
    if (used.second != email) return InvalidToken();
    RETURN_IF_ERROR(ReleaseUnverifiedHolder(c, email, account.id, changes));
    RETURN_IF_ERROR(c.Exec(sql::kInsertAccountVerified, {account.id, email, account.name,
                                                         account.password_hash, account.created_at})
                        .status());
    return InsertEvent(c, event);
  });
}

Status SqlStore::CreateToken(const TokenRecord& token, const EventRecord& event) {
  return Commit([&](SqlConnection& c) -> Status {
    RETURN_IF_ERROR(InsertToken(c, token));
    return InsertEvent(c, event);
  });
}

Result<TokenRecord> SqlStore::FindToken(const Digest& digest) {
  ASSIGN_OR_RETURN(TokenRecord token,
                   ReadFirst(*db_, sql::kFindToken, {digest}, ReadToken, "no such token"));
  token.digest = digest;
  return token;
}

Result<AccountRecord> SqlStore::UseVerifyToken(const Digest& digest, Time at,
                                               const EventRecord& event) {
  return Write(at, [&](SqlConnection& c, std::vector<Change>& changes) -> Result<AccountRecord> {
    ASSIGN_OR_RETURN(auto used, UseToken(c, digest, TokenRecord::kVerifyEmail, at));
    const auto& [account_id, email] = used;
    ASSIGN_OR_RETURN(AccountRecord account, First(c.Exec(sql::kFindAccount, {account_id}),
                                                  ReadAccount, "no such account"));
    // A link for an address the account has since moved away from proves nothing it wants.
    if (email != account.email && email != account.pending_email) return InvalidToken();
    RETURN_IF_ERROR(ReleaseUnverifiedHolder(c, email, account_id, changes));
    RETURN_IF_ERROR(c.Exec(sql::kSetVerifiedEmail, {account_id, email, at}).status());
    RETURN_IF_ERROR(InsertEvent(c, event));
    changes.push_back(AccountChange(account_id));
    return First(c.Exec(sql::kFindAccount, {account_id}), ReadAccount, "no such account");
  });
}

Status SqlStore::RequestEmailChange(const TokenRecord& token, const EventRecord& event) {
  const std::string email = Lower(token.email);
  return Write(AccountChange(token.account_id), event.at, [&](SqlConnection& c) -> Status {
    ASSIGN_OR_RETURN(SqlRows holders, c.Exec(sql::kLockEmailHolder, {email, token.account_id}));
    for (int i = 0; i < holders.size(); ++i) {
      if (!holders[i].IsNull("email_verified_at")) {
        return Status(StatusCode::kEmailTaken, "another account has this address, verified");
      }
    }
    RETURN_IF_ERROR(
        Changed(c.Exec(sql::kSetPendingEmail, {token.account_id, email}), "no such account"));
    RETURN_IF_ERROR(InsertToken(c, token));
    return InsertEvent(c, event);
  });
}

// Two-factor sign-in.

namespace {

TotpRecord ReadTotp(const SqlRow& r) {
  return TotpRecord{.secret = r.OptText("totp_secret").value_or(""),
                    .enabled = r.OptTime("totp_enabled_at").has_value(),
                    .last_step = r.Int("totp_last_step")};
}

// Inside a kWrite: the account's TOTP state, locked (kNotFound: no such account).
Result<TotpRecord> LockTotp(SqlConnection& c, std::string_view account_id) {
  return First(c.Exec(sql::kLockTotp, {account_id}), ReadTotp, "no such account");
}

// Turning two-factor on or off changes the account and each of its memberships as caches hold
// them (AccountRecord::two_factor, MembershipRecord::two_factor): one change for each.
Status AddTwoFactorChanges(SqlConnection& c, std::string_view account_id,
                           std::vector<Change>& changes) {
  const auto read = [](const SqlRow& r) { return r.Text("org_id"); };
  ASSIGN_OR_RETURN(auto orgs, All(c.Exec(sql::kAccountOrgIds, {account_id}), read));
  changes.push_back(AccountChange(account_id));
  for (const std::string& org : orgs) changes.push_back(MembershipChange(org, account_id));
  return Status::Ok();
}

}  // namespace

Result<TotpRecord> SqlStore::FindTotp(std::string_view account_id) {
  return ReadFirst(*db_, sql::kFindTotp, {account_id}, ReadTotp, "no such account");
}

Status SqlStore::SetupTotp(std::string_view account_id, std::string_view secret) {
  return Commit([&](SqlConnection& c) -> Status {
    ASSIGN_OR_RETURN(TotpRecord totp, LockTotp(c, account_id));
    if (totp.enabled) return Conflict("two-factor sign-in is already on");
    return c.Exec(sql::kSetupTotp, {account_id, secret}).status();
  });
}

Status SqlStore::EnableTotp(std::string_view account_id, std::string_view secret, int64_t step,
                            const std::vector<Digest>& recovery_codes, const EventRecord& event) {
  return Write(event.at, [&](SqlConnection& c, std::vector<Change>& changes) -> Status {
    ASSIGN_OR_RETURN(TotpRecord totp, LockTotp(c, account_id));
    if (totp.enabled) return Conflict("two-factor sign-in is already on");
    // A setup since the code was checked replaced the secret: the code proved another one.
    if (totp.secret != secret) return Conflict("the setup was started again");
    RETURN_IF_ERROR(c.Exec(sql::kEnableTotp, {account_id, event.at, step}).status());
    RETURN_IF_ERROR(c.Exec(sql::kDeleteRecoveryCodes, {account_id}).status());
    for (const Digest& code : recovery_codes) {
      RETURN_IF_ERROR(c.Exec(sql::kInsertRecoveryCode, {account_id, code, event.at}).status());
    }
    RETURN_IF_ERROR(AddTwoFactorChanges(c, account_id, changes));
    return InsertEvent(c, event);
  });
}

Status SqlStore::DisableTotp(std::string_view account_id, const EventRecord& event) {
  return Write(event.at, [&](SqlConnection& c, std::vector<Change>& changes) -> Status {
    ASSIGN_OR_RETURN(TotpRecord totp, LockTotp(c, account_id));
    if (!totp.enabled) return Conflict("two-factor sign-in is off");
    RETURN_IF_ERROR(c.Exec(sql::kDisableTotp, {account_id}).status());
    RETURN_IF_ERROR(c.Exec(sql::kDeleteRecoveryCodes, {account_id}).status());
    RETURN_IF_ERROR(AddTwoFactorChanges(c, account_id, changes));
    return InsertEvent(c, event);
  });
}

Status SqlStore::UseSecondFactor(std::string_view account_id, const SecondFactor& factor, Time at,
                                 const std::optional<Digest>& challenge,
                                 const std::optional<EventRecord>& event) {
  const Status refused(StatusCode::kInvalidCredentials, "the code was used already or is wrong");
  return Commit([&](SqlConnection& c) -> Status {
    if (challenge) {
      ASSIGN_OR_RETURN(auto used, UseToken(c, *challenge, TokenRecord::kTwoFactorLogin, at));
      if (used.first != account_id) return InvalidToken();
    }
    Result<SqlRows> changed = refused;
    if (factor.step) {
      changed = c.Exec(sql::kUseTotpStep, {account_id, *factor.step});
    } else if (factor.recovery_code) {
      changed = c.Exec(sql::kUseRecoveryCode, {account_id, *factor.recovery_code, at});
    }
    if (!changed.ok()) return changed.status();
    // Refused: the transaction rolls back, so the challenge stays usable for another code.
    if (changed->affected() == 0) return refused;
    if (event) RETURN_IF_ERROR(InsertEvent(c, *event));
    return Status::Ok();
  });
}

// Quotas. Each locks the account's row before counting, so that writes of one account that
// could exceed a quota (on any node) count one after the other: two cannot both pass. Locked
// first, before any organization, in the order DeleteAccount locks them.
namespace {

// The active-key quota, its reads sent with the caller's next Exec (ExecLater): the account's
// lock, then the count. Check() judges them once that Exec has returned.
class ActiveKeysQuota {
 public:
  explicit ActiveKeysQuota(std::optional<int> max) : max_(max) {}

  Status Send(SqlConnection& c, std::string_view account_id, Time at) {
    if (!max_) return Status::Ok();
    RETURN_IF_ERROR(c.ExecLater(sql::kLockLiveAccount, {account_id}, lock_));
    return c.ExecLater(sql::kCountActiveKeys, {account_id, at}, count_);
  }

  Status Check() const {
    if (!max_) return Status::Ok();
    RETURN_IF_ERROR(First(Sent(lock_), ReadId, "no such account").status());
    ASSIGN_OR_RETURN(const int64_t n,
                     First(
                         Sent(count_), [](const SqlRow& r) { return r.Int("n"); }, "no count"));
    if (n >= *max_) return Status(StatusCode::kQuotaExceeded, "too many active keys");
    return Status::Ok();
  }

 private:
  std::optional<int> max_;
  std::optional<SqlRows> lock_;
  std::optional<SqlRows> count_;
};

Status CheckOrgs(SqlConnection& c, std::optional<int> max, std::string_view account_id) {
  if (!max) return Status::Ok();
  RETURN_IF_ERROR(
      First(c.Exec(sql::kLockLiveAccount, {account_id}), ReadId, "no such account").status());
  ASSIGN_OR_RETURN(const int64_t n, First(
                                        c.Exec(sql::kCountLiveOrgs, {account_id}),
                                        [](const SqlRow& r) { return r.Int("n"); }, "no count"));
  if (n >= *max) return Status(StatusCode::kQuotaExceeded, "too many organizations");
  return Status::Ok();
}

}  // namespace

// Organizations and members.

Status SqlStore::CreateOrg(const OrgRecord& org, std::string_view owner_id,
                           const EventRecord& event) {
  const Change change = MembershipChange(org.id, owner_id);
  const std::string handle = HandleOf(org);
  const std::optional<int> max_orgs = quotas().max_orgs;
  return Write(change, event.at, [&](SqlConnection& c) -> Status {
    RETURN_IF_ERROR(CheckOrgs(c, max_orgs, owner_id));
    RETURN_IF_ERROR(CheckHandleFree(c, handle, org.id));
    // A concurrent creation with the same handle loses on the unique index: kConflict too.
    RETURN_IF_ERROR(c.Exec(sql::kInsertOrg, {org.id, org.name, handle, org.created_at}).status());
    RETURN_IF_ERROR(
        c.Exec(sql::kInsertMembership, {org.id, owner_id, RoleName(Role::kOwner), org.created_at})
            .status());
    return InsertEvent(c, event);
  });
}

Result<OrgRecord> SqlStore::FindOrg(std::string_view org_id) {
  return ReadFirst(*db_, sql::kFindOrg, {org_id}, ReadOrg, "no such organization");
}

Status SqlStore::UpdateOrg(const OrgRecord& org, const EventRecord& event) {
  const std::string handle = HandleOf(org);
  return Write(event.at, [&](SqlConnection& c, std::vector<Change>& changes) -> Status {
    RETURN_IF_ERROR(
        First(c.Exec(sql::kLockLiveOrg, {org.id}), ReadId, "no such organization").status());
    RETURN_IF_ERROR(CheckHandleFree(c, handle, org.id));
    RETURN_IF_ERROR(
        c.Exec(sql::kUpdateOrg, {org.id, org.name, handle, int64_t{org.require_two_factor ? 1 : 0}})
            .status());
    // Every member's cached memberships show the name, handle and the two-factor rule.
    ASSIGN_OR_RETURN(auto members, All(c.Exec(sql::kOrgMemberIds, {org.id}), ReadAccountId));
    for (const std::string& account : members) {
      changes.push_back(MembershipChange(org.id, account));
    }
    return InsertEvent(c, event);
  });
}

Result<OrgPolicy> SqlStore::FindOrgPolicy(std::string_view org_id) {
  return ReadFirst(*db_, sql::kFindOrgPolicy, {org_id}, ReadOrgPolicy, "no such organization");
}

Status SqlStore::SetOrgPolicy(std::string_view org_id, const OrgPolicy& policy,
                              const EventRecord& event) {
  const auto days = [](const std::optional<int>& d) -> SqlParam {
    return d ? SqlParam(*d) : SqlParam(std::nullopt);
  };
  const std::optional<std::string> allowed =
      policy.allowed_permissions ? std::optional(policy.allowed_permissions->ToStored())
                                 : std::nullopt;
  return Write(OrgChange(org_id), event.at, [&](SqlConnection& c) -> Status {
    RETURN_IF_ERROR(
        First(c.Exec(sql::kLockLiveOrg, {org_id}), ReadId, "no such organization").status());
    RETURN_IF_ERROR(
        c.Exec(sql::kSetOrgPolicy,
               {org_id, days(policy.max_lifetime_days), int64_t{policy.require_expiration ? 1 : 0},
                days(policy.rotate_every_days), days(policy.revoke_unused_after_days), allowed,
                policy.updated_at.value_or(event.at), policy.updated_by})
            .status());
    return InsertEvent(c, event);
  });
}

Status SqlStore::SetMemberRole(std::string_view org_id, std::string_view account_id, Role role,
                               const EventRecord& event) {
  const Change change = MembershipChange(org_id, account_id);  // memberships show the role
  return Write(change, event.at, [&](SqlConnection& c) -> Status {
    ASSIGN_OR_RETURN(OwnersAndMember locked, LockOwnersAndMember(c, org_id, account_id));
    if (!locked.role) return NotFound("the account is not a member of this organization");
    if (locked.role == Role::kOwner && role != Role::kOwner && locked.owners <= 1) {
      return Conflict("the last owner cannot be demoted");
    }
    RETURN_IF_ERROR(c.Exec(sql::kSetRole, {org_id, account_id, RoleName(role)}).status());
    return InsertEvent(c, event);
  });
}

Status SqlStore::DeleteOrg(std::string_view org_id, Time at, const EventRecord& event) {
  return Write(event.at, [&](SqlConnection& c, std::vector<Change>& changes) -> Status {
    RETURN_IF_ERROR(DeleteOrgIn(c, org_id, at, changes));
    return InsertEvent(c, event);
  });
}

Result<std::vector<MembershipRecord>> SqlStore::ListMemberships(std::string_view account_id) {
  return Run(*db_, Mode::kRead, [&](SqlConnection& c) -> Result<std::vector<MembershipRecord>> {
    ASSIGN_OR_RETURN(auto found, All(c.Exec(sql::kListMemberships, {account_id}), ReadMembership));
    if (!found.empty()) return found;
    // A service account is a member of nothing in `memberships`, and of its org here.
    return All(c.Exec(sql::kServiceAccountMembership, {account_id}), ReadMembership);
  });
}

Result<std::optional<MembershipRecord>> SqlStore::FindMembership(std::string_view org_id,
                                                                 std::string_view account_id) {
  return Run(*db_, Mode::kRead, [&](SqlConnection& c) -> Result<std::optional<MembershipRecord>> {
    ASSIGN_OR_RETURN(auto found,
                     All(c.Exec(sql::kFindMembership, {org_id, account_id}), ReadMembership));
    if (found.empty()) {
      ASSIGN_OR_RETURN(found,
                       All(c.Exec(sql::kServiceAccountMembership, {account_id}), ReadMembership));
    }
    for (MembershipRecord& m : found) {
      if (m.org_id == org_id) return std::optional<MembershipRecord>(std::move(m));
    }
    return std::optional<MembershipRecord>();
  });
}

Result<std::optional<Role>> SqlStore::FindRole(std::string_view org_id,
                                               std::string_view account_id) {
  ASSIGN_OR_RETURN(std::vector<std::optional<Role>> roles,
                   ReadAll(*db_, sql::kFindRole, {org_id, account_id}, ReadRole));
  if (roles.empty()) return std::optional<Role>();
  return roles.front();
}

Result<std::vector<MembershipRecord>> SqlStore::ListMembers(std::string_view org_id) {
  return ReadAll(*db_, sql::kListMembers, {org_id}, ReadMembership);
}

Status SqlStore::AddMember(std::string_view org_id, std::string_view account_id, Role role,
                           const EventRecord& event) {
  const Change change = MembershipChange(org_id, account_id);
  return Write(change, event.at, [&](SqlConnection& c) -> Status {
    ASSIGN_OR_RETURN(SqlRows found, c.Exec(sql::kFindRole, {org_id, account_id}));
    if (!found.empty()) return Conflict("the account is already a member of this organization");
    // A concurrent add of the same member loses on the primary key: kConflict too.
    RETURN_IF_ERROR(
        c.Exec(sql::kInsertMembership, {org_id, account_id, RoleName(role), event.at}).status());
    return InsertEvent(c, event);
  });
}

Status SqlStore::RemoveMember(std::string_view org_id, std::string_view account_id,
                              const EventRecord& event) {
  const Change change = MembershipChange(org_id, account_id);
  return Write(change, event.at, [&](SqlConnection& c) -> Status {
    ASSIGN_OR_RETURN(OwnersAndMember locked, LockOwnersAndMember(c, org_id, account_id));
    if (!locked.role) return NotFound("the account is not a member of this organization");
    if (locked.role == Role::kOwner && locked.owners <= 1) {
      return Conflict("the last owner cannot leave the organization");
    }
    RETURN_IF_ERROR(c.Exec(sql::kDeleteMembership, {org_id, account_id}).status());
    return InsertEvent(c, event);
  });
}

// Service accounts.

Status SqlStore::CreateServiceAccount(const ServiceAccountRecord& sa, const EventRecord& event) {
  // Its membership appears with it: a change, so that no node keeps "member of nothing".
  const Change change = MembershipChange(sa.org_id, sa.id);
  return Write(change, event.at, [&](SqlConnection& c) -> Status {
    // Waits for a deletion of the org in progress, and then refuses (see kLockLiveOrg).
    ASSIGN_OR_RETURN(SqlRows live, c.Exec(sql::kLockLiveOrgShared, {sa.org_id}));
    if (live.empty()) return NotFound("no such organization");
    RETURN_IF_ERROR(c.Exec(sql::kInsertAccount, {sa.id, ServiceAccountEmail(sa.id), sa.name,
                                                 std::string(), sa.created_at})
                        .status());
    RETURN_IF_ERROR(c.Exec(sql::kInsertServiceAccount,
                           {sa.id, sa.org_id, sa.description, sa.created_by, sa.created_at})
                        .status());
    return InsertEvent(c, event);
  });
}

Result<std::vector<ServiceAccountRecord>> SqlStore::ListServiceAccounts(std::string_view org_id) {
  return ReadAll(*db_, sql::kListServiceAccounts, {org_id}, ReadServiceAccount);
}

Result<ServiceAccountRecord> SqlStore::FindServiceAccount(std::string_view account_id) {
  return ReadFirst(*db_, sql::kFindServiceAccount, {account_id}, ReadServiceAccount,
                   "no such service account");
}

Status SqlStore::DeleteServiceAccount(std::string_view account_id, Time at,
                                      const EventRecord& event) {
  const auto read_org = [](const SqlRow& r) { return r.Text("org_id"); };
  return Write(at, [&](SqlConnection& c, std::vector<Change>& changes) -> Status {
    ASSIGN_OR_RETURN(const std::string org_id,
                     First(c.Exec(sql::kLockLiveServiceAccount, {account_id}), read_org,
                           "no such service account"));
    // One change per key revoked: every node refuses each from its next use on.
    ASSIGN_OR_RETURN(auto keys, All(c.Exec(sql::kLockAccountLiveKeys, {account_id}), ReadId));
    RETURN_IF_ERROR(c.Exec(sql::kRevokeAccountSecrets, {account_id, at}).status());
    RETURN_IF_ERROR(c.Exec(sql::kRevokeAccountKeys, {account_id, at}).status());
    RETURN_IF_ERROR(c.Exec(sql::kSetServiceAccountDeleted, {account_id, at}).status());
    for (const std::string& key : keys) changes.push_back(KeyChange(key));
    changes.push_back(MembershipChange(org_id, account_id));
    changes.push_back(AccountChange(account_id));
    return InsertEvent(c, event);
  });
}

// Invitations.

Status SqlStore::CreateInvitation(const InvitationRecord& inv, const EventRecord& event) {
  const std::string email = Lower(inv.email);
  return Commit([&](SqlConnection& c) -> Status {
    // Invitations to one org are created one at a time (the check for a pending one and the
    // insert are one step on every node), and never to an org being deleted.
    ASSIGN_OR_RETURN(SqlRows org, c.Exec(sql::kLockLiveOrg, {inv.org_id}));
    if (org.empty()) return NotFound("no such organization");
    ASSIGN_OR_RETURN(SqlRows pending,
                     c.Exec(sql::kPendingInvitationExists, {inv.org_id, email, inv.created_at}));
    if (!pending.empty()) return Conflict("this address already has a pending invitation");
    ASSIGN_OR_RETURN(SqlRows member, c.Exec(sql::kMemberWithEmail, {inv.org_id, email}));
    if (!member.empty()) return Conflict("this address is a member's");
    RETURN_IF_ERROR(c.Exec(sql::kInsertInvitation, {inv.id, inv.org_id, email, RoleName(inv.role),
                                                    inv.invited_by, inv.created_at, inv.expires_at})
                        .status());
    return InsertEvent(c, event);
  });
}

Result<InvitationRecord> SqlStore::FindInvitation(std::string_view invitation_id) {
  return ReadFirst(*db_, sql::kFindInvitation, {invitation_id}, ReadInvitation,
                   "no such invitation");
}

Result<std::vector<InvitationRecord>> SqlStore::ListOrgInvitations(std::string_view org_id) {
  return ReadAll(*db_, sql::kListOrgInvitations, {org_id}, ReadInvitation);
}

Result<std::vector<InvitationRecord>> SqlStore::ListInvitationsTo(std::string_view email,
                                                                  Time now) {
  return ReadAll(*db_, sql::kListInvitationsTo, {Lower(email), now}, ReadInvitation);
}

Status SqlStore::AcceptInvitation(std::string_view invitation_id, std::string_view account_id,
                                  Time at, const EventRecord& event) {
  const auto read = [](const SqlRow& r) { return std::pair(r.Text("org_id"), r.Text("role")); };
  const std::optional<int> max_orgs = quotas().max_orgs;
  return Write(at, [&](SqlConnection& c, std::vector<Change>& changes) -> Status {
    RETURN_IF_ERROR(CheckOrgs(c, max_orgs, account_id));
    ASSIGN_OR_RETURN(auto accepted,
                     First(c.Exec(sql::kAcceptInvitation, {invitation_id, account_id, at}), read,
                           "no such pending invitation to this account's verified address"));
    const auto& [org_id, role] = accepted;
    // Against a concurrent deletion of the org, as a key scoped to it is created.
    ASSIGN_OR_RETURN(SqlRows live, c.Exec(sql::kLockLiveOrgShared, {org_id}));
    if (live.empty()) return NotFound("the organization was deleted");
    ASSIGN_OR_RETURN(SqlRows found, c.Exec(sql::kFindRole, {org_id, account_id}));
    if (!found.empty()) return Conflict("the account is already a member of this organization");
    RETURN_IF_ERROR(c.Exec(sql::kInsertMembership, {org_id, account_id, role, at}).status());
    RETURN_IF_ERROR(InsertEvent(c, event));
    changes.push_back(MembershipChange(org_id, account_id));
    return Status::Ok();
  });
}

Status SqlStore::EndInvitation(std::string_view invitation_id, InvitationEnd end, Time at,
                               const EventRecord& event) {
  const char* statement =
      end == InvitationEnd::kDecline ? sql::kDeclineInvitation : sql::kCancelInvitation;
  return Commit([&](SqlConnection& c) -> Status {
    RETURN_IF_ERROR(Changed(c.Exec(statement, {invitation_id, at}), "no such pending invitation"));
    return InsertEvent(c, event);
  });
}

// API keys.

Status SqlStore::CreateKey(const KeyRecord& key, const SecretRecord& secret,
                           const EventRecord& event) {
  const std::optional<int> max_keys = quotas().max_active_keys;
  return Commit([&](SqlConnection& c) -> Status {
    // The checks go out together (one round trip on PostgreSQL), taking their locks in the
    // order a deletion takes them (account, organization, service account), and are judged
    // once all have run.
    ActiveKeysQuota quota(max_keys);
    RETURN_IF_ERROR(quota.Send(c, key.account_id, key.created_at));
    // Waits for a deletion of the org in progress, and then refuses (see kLockLiveOrg).
    std::optional<SqlRows> org;
    if (key.org_id) RETURN_IF_ERROR(c.ExecLater(sql::kLockLiveOrgShared, {*key.org_id}, org));
    // Waits for a deletion of its service account in progress, and then refuses.
    const auto read_deleted = [](const SqlRow& r) { return r.OptTime("deleted_at").has_value(); };
    ASSIGN_OR_RETURN(auto deleted,
                     All(c.Exec(sql::kLockServiceAccountShared, {key.account_id}), read_deleted));
    RETURN_IF_ERROR(quota.Check());
    if (org && org->empty()) return NotFound("no such organization");
    if (!deleted.empty() && deleted.front()) return NotFound("no such service account");
    RETURN_IF_ERROR(c.Send(
        sql::kInsertKey,
        {key.id, key.account_id, key.name, key.description,
         key.hint.empty() ? secret.hint : key.hint, key.org_id, key.created_at, key.expires_at,
         key.rotated_at, key.revoked_at, key.permissions.ToStored(), JoinWords(key.allowed_ips)}));
    RETURN_IF_ERROR(c.Send(sql::kInsertKeyUse, {key.id, key.last_used_at}));
    RETURN_IF_ERROR(c.Send(sql::kInsertSecret, {secret.digest, key.id, secret.hint,
                                                secret.created_at, secret.revoked_at}));
    return InsertEvent(c, event);
  });
}

Result<KeyRecord> SqlStore::FindKey(std::string_view key_id) {
  return ReadFirst(*db_, sql::kFindKey, {key_id}, ReadKey, "no such key");
}

Result<std::vector<KeyRecord>> SqlStore::ListKeys(std::string_view account_id) {
  return ReadAll(*db_, sql::kListKeys, {account_id}, ReadKey);
}

Result<std::vector<KeyRecord>> SqlStore::ListOrgKeys(std::string_view org_id) {
  return ReadAll(*db_, sql::kListOrgKeys, {org_id}, ReadKey);
}

namespace {

std::string_view StateName(KeyQuery::State state) {
  switch (state) {
    case KeyQuery::State::kAny:
      return "any";
    case KeyQuery::State::kActive:
      return "active";
    case KeyQuery::State::kExpired:
      return "expired";
    case KeyQuery::State::kRevoked:
      return "revoked";
    case KeyQuery::State::kNeedsAttention:
      return "needs_attention";
  }
  return "any";
}

// A LIKE pattern for the substring `text`, A-Z folded as the statement folds the columns, and
// LIKE's wildcards and its escape character escaped (they match only themselves).
std::string ContainsPattern(std::string_view text) {
  if (text.empty()) return "";
  std::string out = "%";
  for (char c : Lower(text)) {
    if (c == '%' || c == '_' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  out.push_back('%');
  return out;
}

}  // namespace

Result<KeyPage> SqlStore::QueryKeys(const KeyQuery& query) {
  const bool org = query.org_id.has_value();
  const std::string& owner = org ? *query.org_id : query.account_id;
  const std::string pattern = ContainsPattern(query.text);
  const std::string_view state = StateName(query.state);
  // One row more than the page: whether there is a next page, without another query.
  const int64_t fetch = static_cast<int64_t>(query.limit) + 1;
  std::vector<std::pair<KeyRecord, int64_t>> rows;
  const auto read = [](const SqlRow& r) { return std::pair(ReadKey(r), r.Int("seq")); };
  // needs_attention: the thresholds of KeyFlags at `now`.
  const Time unused_before = query.now - kKeyUnusedAfter;
  const Time rotation_before = query.now - kKeyRotationAfter;
  const Time expiring_before = query.now + kKeyExpiringWithin;
  if (query.after) {
    ASSIGN_OR_RETURN(
        rows, ReadAll(*db_, org ? sql::kPageOrgKeysAfter : sql::kPageAccountKeysAfter,
                      {owner, state, query.now, pattern, fetch, unused_before, rotation_before,
                       expiring_before, query.after->created_at, query.after->seq},
                      read));
  } else {
    ASSIGN_OR_RETURN(rows, ReadAll(*db_, org ? sql::kPageOrgKeys : sql::kPageAccountKeys,
                                   {owner, state, query.now, pattern, fetch, unused_before,
                                    rotation_before, expiring_before},
                                   read));
  }
  KeyPage page;
  const bool more = rows.size() > static_cast<size_t>(query.limit);
  if (more) rows.resize(static_cast<size_t>(query.limit));
  if (more && !rows.empty()) {
    page.next = KeyCursor{.created_at = rows.back().first.created_at, .seq = rows.back().second};
  }
  page.keys.reserve(rows.size());
  for (auto& [key, seq] : rows) page.keys.push_back(std::move(key));
  return page;
}

Status SqlStore::UpdateKey(const KeyRecord& key, const EventRecord& event) {
  const Change change = KeyChange(key.id);
  return Write(change, event.at, [&](SqlConnection& c) -> Status {
    RETURN_IF_ERROR(
        Changed(c.Exec(sql::kUpdateKey, {key.id, key.name, key.description, key.expires_at,
                                         key.permissions.ToStored(), JoinWords(key.allowed_ips)}),
                "no such key"));
    return InsertEvent(c, event);
  });
}

Status SqlStore::RotateKey(std::string_view key_id, const SecretRecord& secret,
                           std::optional<std::optional<Time>> expires_at,
                           std::chrono::seconds overlap, const EventRecord& event) {
  const Change change = KeyChange(key_id);
  const Time at = secret.created_at;
  const std::optional<Time> previous_valid_until =
      overlap.count() > 0 ? std::optional<Time>(at + overlap) : std::nullopt;
  return Write(change, event.at, [&](SqlConnection& c) -> Status {
    ASSIGN_OR_RETURN(std::optional<Time> revoked,
                     First(c.Exec(sql::kLockKey, {key_id}), ReadRevokedAt, "no such key"));
    if (revoked.has_value()) return Conflict("a revoked key cannot be rotated");
    // At most two values work at once: an earlier overlap ends now.
    RETURN_IF_ERROR(c.Send(sql::kEndOverlap, {key_id, at}));
    RETURN_IF_ERROR(c.Send(sql::kRevokeCurrentSecret, {key_id, previous_valid_until.value_or(at)}));
    RETURN_IF_ERROR(c.Send(sql::kInsertSecret,
                           {secret.digest, key_id, secret.hint, secret.created_at, std::nullopt}));
    RETURN_IF_ERROR(c.Send(sql::kSetRotated, {key_id, secret.hint, at, previous_valid_until}));
    if (expires_at.has_value()) {
      RETURN_IF_ERROR(c.Send(sql::kSetExpires, {key_id, *expires_at}));
    }
    return InsertEvent(c, event);
  });
}

Result<Time> SqlStore::RevokeKey(std::string_view key_id, Time at, const EventRecord& event) {
  return RevokeOneKey(key_id, at, event, /*exposed=*/false);
}

Result<Time> SqlStore::RevokeExposedKey(std::string_view key_id, Time at,
                                        const EventRecord& event) {
  return RevokeOneKey(key_id, at, event, /*exposed=*/true);
}

Result<Time> SqlStore::RevokeOneKey(std::string_view key_id, Time at, const EventRecord& event,
                                    bool exposed) {
  const Change change = KeyChange(key_id);
  return Write(change, event.at, [&](SqlConnection& c) -> Result<Time> {
    ASSIGN_OR_RETURN(std::optional<Time> revoked,
                     First(c.Exec(sql::kLockKey, {key_id}), ReadRevokedAt, "no such key"));
    if (revoked.has_value()) return *revoked;  // already revoked: no change, no event
    RETURN_IF_ERROR(c.Send(sql::kSetRevoked, {key_id, at}));
    RETURN_IF_ERROR(c.Send(sql::kRevokeSecrets, {key_id, at}));
    if (exposed) RETURN_IF_ERROR(c.Send(sql::kSetExposed, {key_id, at}));
    RETURN_IF_ERROR(InsertEvent(c, event));
    return at;
  });
}

Result<std::vector<KeyRecord>> SqlStore::ListExposedKeys(std::string_view account_id, Time since,
                                                         int limit) {
  return ReadAll(*db_, sql::kListExposedKeys, {account_id, since, int64_t{limit}}, ReadKey);
}

Result<std::vector<Time>> SqlStore::RevokeKeys(std::string_view account_id,
                                               const std::vector<EventRecord>& events, Time at) {
  // Locked in id order, as other multi-key revocations lock them, so that two bulk revocations
  // of overlapping keys cannot deadlock.
  std::vector<size_t> order(events.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(),
            [&](size_t a, size_t b) { return events[a].target_id < events[b].target_id; });
  const auto read = [](const SqlRow& r) {
    return std::pair(r.Text("account_id"), r.OptTime("revoked_at"));
  };
  return Write(
      at, [&](SqlConnection& c, std::vector<Change>& changes) -> Result<std::vector<Time>> {
        std::vector<Time> revoked(events.size());
        for (size_t i : order) {
          const std::string& key_id = events[i].target_id;
          ASSIGN_OR_RETURN(auto locked,
                           First(c.Exec(sql::kLockKeyOwner, {key_id}), read, "no such key"));
          if (locked.first != account_id) return NotFound("no such key of this account");
          changes.push_back(KeyChange(key_id));
          if (locked.second.has_value()) {  // already revoked: no change to it, no event
            revoked[i] = *locked.second;
            continue;
          }
          RETURN_IF_ERROR(c.Exec(sql::kSetRevoked, {key_id, at}).status());
          RETURN_IF_ERROR(c.Exec(sql::kRevokeSecrets, {key_id, at}).status());
          RETURN_IF_ERROR(InsertEvent(c, events[i]));
          revoked[i] = at;
        }
        return revoked;
      });
}

Result<KeyState> SqlStore::FindKeyBySecret(const Digest& digest) {
  ASSIGN_OR_RETURN(KeyState state,
                   ReadFirst(*db_, sql::kFindKeyBySecret, {digest}, ReadKeyState, "no such key"));
  state.digest = digest;
  return state;
}

Status SqlStore::RecordKeyUses(const KeyUses& uses) {
  if (uses.empty()) return Status::Ok();
  return Run(*db_, Mode::kWrite, [&](SqlConnection& c) { return db_->RecordKeyUses(c, uses); });
}

// Agents and hosts.

// Device authorization.

Status SqlStore::CreateDeviceCode(const DeviceCodeRecord& code) {
  return Run(*db_, Mode::kWrite, [&](SqlConnection& c) -> Status {
    RETURN_IF_ERROR(c.Exec(sql::kDeleteExpiredDeviceCodes, {code.created_at}).status());
    return c
        .Exec(sql::kInsertDeviceCode,
              {code.device_digest, code.user_digest, code.client_name, code.hostname, code.ip,
               code.created_at, code.expires_at, code.interval_seconds, code.public_key,
               code.sealed_private_key})
        .status();
  });
}

Result<DeviceCodeRecord> SqlStore::FindDeviceCode(const Digest& user_digest) {
  ASSIGN_OR_RETURN(DeviceCodeRecord code, ReadFirst(*db_, sql::kFindDeviceCode, {user_digest},
                                                    ReadDeviceCode, "no such device code"));
  code.user_digest = user_digest;
  return code;
}

Status SqlStore::DecideDeviceCode(const Digest& user_digest, const DeviceCodeRecord& d) {
  return ChangeOne(*db_, sql::kDecideDeviceCode,
                   {user_digest, d.status, d.decided_at, d.account_id, d.key_id, d.sealed_secret},
                   "no pending device code");
}

Result<DevicePoll> SqlStore::PollDeviceCode(const Digest& device_digest, Time at,
                                            std::chrono::seconds slow_down) {
  return Run(*db_, Mode::kWrite, [&](SqlConnection& c) -> Result<DevicePoll> {
    ASSIGN_OR_RETURN(DeviceCodeRecord code, First(c.Exec(sql::kLockDeviceCode, {device_digest}),
                                                  ReadDeviceCode, "no such device code"));
    code.device_digest = device_digest;
    DevicePoll poll{.code = code};
    if (at >= code.expires_at) return poll;
    if (code.status == DeviceCodeRecord::kApproved) {
      RETURN_IF_ERROR(c.Exec(sql::kUseDeviceCode, {device_digest, at}).status());
      return poll;
    }
    int64_t interval = code.interval_seconds;
    if (code.status == DeviceCodeRecord::kPending && code.last_poll_at &&
        at < *code.last_poll_at + std::chrono::seconds(interval)) {
      poll.too_soon = true;
      interval += slow_down.count();
    }
    RETURN_IF_ERROR(c.Exec(sql::kRecordDevicePoll, {device_digest, at, interval}).status());
    return poll;
  });
}

Status SqlStore::CreateAgent(const AgentRecord& agent) {
  return Run(*db_, Mode::kWrite, [&](SqlConnection& c) -> Status {
    if (agent.host_id.has_value()) {
      ASSIGN_OR_RETURN(SqlRows host, c.Exec(sql::kHostInOrg, {*agent.host_id, agent.org_id}));
      if (host.empty()) return NotFound("no such host in this organization");
    }
    return c
        .Exec(sql::kInsertAgent,
              {agent.id, agent.org_id, agent.name, agent.host_id, agent.created_at})
        .status();
  });
}

Result<std::vector<AgentRecord>> SqlStore::ListAgents(std::string_view org_id) {
  return ReadAll(*db_, sql::kListAgents, {org_id}, ReadAgent);
}

Result<AgentRecord> SqlStore::FindAgent(std::string_view org_id, std::string_view agent_id) {
  return ReadFirst(*db_, sql::kFindAgent, {org_id, agent_id}, ReadAgent, "no such agent");
}

Status SqlStore::DeleteAgent(std::string_view org_id, std::string_view agent_id) {
  return ChangeOne(*db_, sql::kDeleteAgent, {org_id, agent_id}, "no such agent");
}

Status SqlStore::CreateHost(const HostRecord& host) {
  return WriteOne(*db_, sql::kInsertHost,
                  {host.id, host.org_id, host.name, host.address, host.created_at});
}

Result<std::vector<HostRecord>> SqlStore::ListHosts(std::string_view org_id) {
  return ReadAll(*db_, sql::kListHosts, {org_id}, ReadHost);
}

Result<HostRecord> SqlStore::FindHost(std::string_view org_id, std::string_view host_id) {
  return ReadFirst(*db_, sql::kFindHost, {org_id, host_id}, ReadHost, "no such host");
}

Status SqlStore::DeleteHost(std::string_view org_id, std::string_view host_id) {
  return ChangeOne(*db_, sql::kDeleteHost, {org_id, host_id}, "no such host");
}

// Audit events.

Status SqlStore::AppendEvent(const EventRecord& event) {
  return Commit([&](SqlConnection& c) { return InsertEvent(c, event); });
}

Result<std::vector<EventRecord>> SqlStore::ListEvents(std::string_view account_id, int limit,
                                                      std::optional<std::string> before) {
  if (limit <= 0) return std::vector<EventRecord>();
  if (before) return ReadAll(*db_, sql::kListEventsBefore, {account_id, limit, *before}, ReadEvent);
  return ReadAll(*db_, sql::kListEvents, {account_id, limit}, ReadEvent);
}

// Mail queue.

Result<std::optional<QueuedMail>> SqlStore::ClaimMail(Time now, Time lease_until) {
  return Run(*db_, Mode::kWrite, [&](SqlConnection& c) -> Result<std::optional<QueuedMail>> {
    ASSIGN_OR_RETURN(std::vector<QueuedMail> due,
                     All(c.Exec(sql::kFindDueMail, {now}), ReadQueuedMail));
    if (due.empty()) return std::optional<QueuedMail>();
    RETURN_IF_ERROR(c.Exec(sql::kClaimMail, {due.front().id, lease_until}).status());
    return std::optional<QueuedMail>(std::move(due.front()));
  });
}

Status SqlStore::MarkMailSent(int64_t mail_id, Time at) {
  return ChangeOne(*db_, sql::kMailSent, {mail_id, at}, "no such mail");
}

Status SqlStore::RetryMail(int64_t mail_id, Time next_attempt_at, std::string_view error) {
  return ChangeOne(*db_, sql::kRetryMail, {mail_id, next_attempt_at, error}, "no such mail");
}

Status SqlStore::FailMail(int64_t mail_id, Time at, std::string_view error) {
  return ChangeOne(*db_, sql::kMailFailed, {mail_id, at, error}, "no such mail");
}

Result<std::vector<KeyRecord>> SqlStore::ListKeysForNotice(std::string_view notice, Time after,
                                                           Time until) {
  return ReadAll(*db_, sql::kListKeysForNotice, {notice, after, until}, ReadKey);
}

Result<bool> SqlStore::QueueKeyNotice(std::string_view key_id, std::string_view notice,
                                      Time expires_at, const MailMessage& mail, Time at) {
  return Commit([&](SqlConnection& c) -> Result<bool> {
    ASSIGN_OR_RETURN(SqlRows inserted,
                     c.Exec(sql::kInsertKeyNotice, {key_id, notice, expires_at, at}));
    if (inserted.affected() == 0) return false;  // another run (or node) queued it
    RETURN_IF_ERROR(InsertMail(c, mail, at));
    return true;
  });
}

Result<bool> SqlStore::RunJob(std::string_view job, Time now, std::chrono::seconds interval,
                              const std::function<void()>& run) {
  return db_->RunJob(
      job,
      [&](SqlConnection& c) -> Result<bool> {
        ASSIGN_OR_RETURN(SqlRows claimed, c.Exec(sql::kClaimJob, {job, now, now - interval}));
        return claimed.affected() > 0;
      },
      run);
}

Result<std::vector<std::pair<KeyRecord, int>>> SqlStore::ListUnusedKeys(Time now) {
  return ReadAll(*db_, sql::kListUnusedKeys, {now}, [](const SqlRow& r) {
    return std::pair(ReadKey(r), static_cast<int>(r.Int("unused_days")));
  });
}

}  // namespace tfzo
