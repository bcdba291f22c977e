#ifndef TFZO_MODEL_RECORDS_H_
#define TFZO_MODEL_RECORDS_H_

// The records of the system as the Store keeps them and the services, the key cache and the
// HTTP layer use them. Plain values: no I/O, no behaviour beyond naming roles and statuses.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/digest.h"
#include "core/time.h"
#include "model/permissions.h"

namespace tfzo {

enum class Role { kOwner, kMember };
std::string_view RoleName(Role role);  // "owner" | "member"
std::optional<Role> ParseRole(std::string_view name);

struct AccountRecord {
  std::string id;
  std::string email;  // stored lower-cased; unique
  std::string name;
  std::string password_hash;  // argon2id string (libsodium crypto_pwhash_str)
  Time created_at;
  // When `email` was proven by a link mailed to it; nullopt: unverified (every account made
  // before verification existed, until it verifies).
  std::optional<Time> email_verified_at{};
  // An address change waiting for its link: the account keeps `email` until then.
  std::optional<std::string> pending_email{};
  // Two-factor sign-in is on (a TOTP secret is active: TotpRecord).
  bool two_factor = false;
};

// An account's TOTP secret as the store keeps it (migration 0008): base32, secret material.
// Pending (not enabled) from setup until a code proves the person's app has it.
struct TotpRecord {
  // Base32; empty when the account has none. Secret material, like password_hash: never logged
  // or shown again (the services hand it over as a Secret).
  std::string secret;
  bool enabled = false;
  int64_t last_step = 0;  // the newest time step whose code was accepted
};

// A second factor offered once (Store::UseSecondFactor): a TOTP code's time step, or a
// recovery code's digest.
struct SecondFactor {
  std::optional<int64_t> step{};
  std::optional<Digest> recovery_code{};
};

// What an account's address becomes when someone else proves it is theirs while the account
// had not verified it (a sign-up through a claim link, or a verified change of address): the
// account keeps everything else, and can set a new address from a session it still has. Not
// an address anyone can type (its domain has no dot; docs/spec/API.md "Text"), so it never
// collides with one, and unique, as the id is.
std::string ReleasedEmail(std::string_view account_id);
bool IsReleasedEmail(std::string_view email);
// What a deleted account's address becomes (Store::DeleteAccount): free for a new sign-up, and,
// like a released one, not an address anyone can type.
std::string DeletedEmail(std::string_view account_id);
// A service account's address (its row in `accounts`: ServiceAccountRecord): like a released
// one, not an address anyone can type, so nobody signs up or signs in with it.
std::string ServiceAccountEmail(std::string_view account_id);
bool IsServiceAccountEmail(std::string_view email);

// A single-use token mailed in a link (docs/spec/API.md "E-mail verification"). Only its
// SHA-256 is stored; the token itself is in the mail and nowhere else.
struct TokenRecord {
  // What following the link proves. kVerifyEmail: the account receives mail at `email` (its
  // address or its pending one). kClaimEmail: whoever signs up with this token receives mail
  // at `email`, which `account_id` holds without having verified it.
  static constexpr char kVerifyEmail[] = "verify_email";
  static constexpr char kClaimEmail[] = "claim_email";
  // kResetPassword: whoever follows the link receives mail at `email`, the account's address
  // when the link was sent, and may set the account's password (while it still has that address).
  static constexpr char kResetPassword[] = "reset_password";
  // kTwoFactorLogin: the password of `account_id` was right; a second factor completes the
  // sign-in (a challenge, 5 minutes, never mailed; `email` is empty).
  static constexpr char kTwoFactorLogin[] = "login_2fa";

  Digest digest;
  std::string purpose;
  std::string account_id;
  std::string email;  // lower-cased
  Time created_at;
  Time expires_at;
  std::optional<Time> used_at{};
};

// A device authorization request (RFC 8628; docs/spec/API.md "Device authorization"): a CLI
// asks for a key, a signed-in person approves or denies it in the console. Both codes are kept
// as SHA-256 digests only.
struct DeviceCodeRecord {
  // pending until approved or denied; approved until the CLI took the key (then used).
  static constexpr char kPending[] = "pending";
  static constexpr char kApproved[] = "approved";
  static constexpr char kDenied[] = "denied";
  static constexpr char kUsed[] = "used";

  Digest device_digest{};  // SHA-256 of the device code (the CLI's)
  Digest user_digest{};    // SHA-256 of the user code ("XXXX-XXXX", upper case)
  std::string client_name;
  std::string hostname;
  std::string ip;  // the address that asked
  Time created_at;
  Time expires_at;
  int64_t interval_seconds = 5;  // the least time between two polls
  std::optional<Time> last_poll_at{};
  std::string status = kPending;
  std::optional<std::string> account_id{};  // who approved or denied
  std::optional<std::string> key_id{};      // the key the approval minted
  // The request's box (hex): its public key, and its private key sealed with a key derived
  // from the device code (the server keeps only the code's digest, so it cannot open it alone).
  std::string public_key{};
  std::string sealed_private_key{};
  // The key's value sealed to public_key (hex), from approval until the CLI took it; never the
  // value itself.
  std::optional<std::string> sealed_secret{};
  std::optional<Time> decided_at{};
};

// One poll of a device code (Store::PollDeviceCode): the request as it was before the poll,
// and whether the poll came sooner than its interval allowed.
struct DevicePoll {
  DeviceCodeRecord code;
  bool too_soon = false;
};

struct SessionRecord {
  Digest token_digest;  // SHA-256 of the cookie value; the value itself is never stored
  std::string account_id;
  std::string csrf_token;
  Time created_at;
  Time last_seen_at;
  // Public: names the session in the console (random, unrelated to the token).
  std::string id{};
  // Where it was started from: the client's address and its User-Agent (bounded, printable
  // ASCII: service/validation.h SanitizeUserAgent).
  std::string ip{};
  std::string user_agent{};
};

// A console session and its account, read together (Store::FindSignedIn).
struct SignedIn {
  SessionRecord session;
  AccountRecord account;
};

struct OrgRecord {
  std::string id;
  std::string name;
  Time created_at;
  // Globally unique among live organizations: [a-z0-9](-?[a-z0-9])*, at most 39 characters
  // (service/org_handle.h). Given to CreateOrg empty, it is derived from the id, as migration
  // 0005 did for the organizations made before handles.
  std::string handle{};
  // Members without two-factor sign-in on are refused (two_factor_required).
  bool require_two_factor = false;
};

// One membership, joined with what the listings show: the org's name and handle (for "my
// orgs") or the member's email (for "members of an org").
struct MembershipRecord {
  std::string org_id;
  std::string org_name;
  std::string account_id;
  std::string email;
  Role role = Role::kMember;
  std::string org_handle{};
  // The org requires two-factor sign-in, and whether this member has it on: both cached with
  // the membership (KeyVerifier), so a key's check decides two_factor_required from memory.
  bool org_requires_two_factor = false;
  bool two_factor = false;

  // The org requires two-factor sign-in and this member has it off.
  bool LacksTwoFactor() const { return org_requires_two_factor && !two_factor; }
};

// An API key's configuration and life. Its secrets are SecretRecords.
struct KeyRecord {
  std::string id;
  std::string account_id;
  std::string name;
  std::string description;
  std::string hint;  // of the current secret
  std::optional<std::string> org_id;
  Time created_at;
  std::optional<Time> expires_at;
  std::optional<Time> last_used_at;
  std::optional<Time> rotated_at;
  std::optional<Time> revoked_at;
  // Filled by reads: the scope's org name ("" when unscoped), and the owner's email.
  std::string org_name;
  std::string email;
  // What the key may do on the CLI API (docs/spec/API.md "Permissions").
  Permissions permissions = Permissions::All();
  // Canonical CIDRs (core/ip_networks.h) the key's requests must come from; empty: anywhere.
  std::vector<std::string> allowed_ips{};
  // While a rotation's overlap runs: until when the previous secret still works.
  std::optional<Time> previous_valid_until{};
  // Filled by reads: the service account's name when the key is one's (account_id is its id).
  std::optional<std::string> service_account_name{};
  // When it was revoked because its value was reported exposed (Store::RevokeExposedKey).
  std::optional<Time> exposed_at{};
  // Filled by reads: the key is scoped to an organization its owner, a person, is no longer a
  // member of (model/key_flags.h owner_left_org).
  bool owner_left_org = false;
};

// A service account (migration 0010): an account for shared automation that belongs to one
// organization, not to a person, so its keys survive any member's departure. Its id is its
// `accounts` row's (email ServiceAccountEmail(id), no password: it never signs in). The store
// answers its memberships as exactly its org, role member, never lacking two-factor.
struct ServiceAccountRecord {
  std::string id;
  std::string org_id;
  std::string name;
  std::string description;
  std::string created_by;  // the owner's account id
  Time created_at;
  std::optional<Time> deleted_at{};
};

// Where a page of keys ends: the last key's created_at and its row number (the keys list is
// ordered created_at DESC, seq DESC, and a page after a cursor starts strictly below it).
struct KeyCursor {
  Time created_at;
  int64_t seq = 0;
};

// Which keys a page of a keys list holds (GET /api/keys, an organization's keys).
struct KeyQuery {
  // kNeedsAttention: active keys with at least one flag (model/key_flags.h).
  enum class State { kAny, kActive, kExpired, kRevoked, kNeedsAttention };
  // The account's keys; or, when org_id is set, every key scoped to that organization.
  std::string account_id{};
  std::optional<std::string> org_id{};
  State state = State::kAny;
  Time now{};  // active and expired are decided at this time
  // A substring of the name, description or hint; "" matches every key. Letters A-Z match
  // either case; every other character matches only itself (the same on both engines).
  std::string text{};
  int limit = 100;
  std::optional<KeyCursor> after{};  // nullopt: the first page
};

// A page of keys, newest first; `next` is where the next page starts (nullopt: this is the last).
struct KeyPage {
  std::vector<KeyRecord> keys;
  std::optional<KeyCursor> next;
};

// An organization's key policy (docs/spec/API.md "Organization key policy"): rules for the keys
// scoped to it, its service accounts' keys included, applied at their creation, rotation, edit
// and every check. An unset rule is no rule; "days" count from the key's creation or last
// rotation.
struct OrgPolicy {
  std::optional<int> max_lifetime_days{};
  bool require_expiration = false;
  std::optional<int> rotate_every_days{};
  std::optional<int> revoke_unused_after_days{};
  std::optional<Permissions> allowed_permissions{};  // nullopt: every permission
  std::optional<Time> updated_at{};                  // nullopt: never set
  std::string updated_by{};                          // the owner who set it last

  bool operator==(const OrgPolicy&) const = default;
};

// Per-account quotas the store enforces inside the transaction that would exceed them, so that
// two nodes cannot both pass (nullopt: no limit).
struct Quotas {
  std::optional<int> max_active_keys;  // keys neither revoked nor expired
  std::optional<int> max_orgs;         // live organizations the account is a member of
};

// One secret of a key. A rotation revokes the current secret and adds a new one; with an
// overlap, the revocation takes effect at a time to come (revoked_at in the future).
struct SecretRecord {
  Digest digest;
  std::string key_id;
  std::string hint;
  Time created_at;
  std::optional<Time> revoked_at;
};

// What checking a key needs, from one read by digest.
struct KeyState {
  // The SHA-256 of the secret this is the state of (KeyVerifier caches by it, and finds the
  // key's other cached parts by it).
  Digest digest{};
  std::string key_id;
  std::string account_id;
  std::optional<std::string> org_id;
  std::optional<Time> expires_at;
  std::optional<Time> key_revoked_at;  // the key itself was revoked
  // This secret was revoked (by revoke or rotation): from that time on, which is in the future
  // while a rotation's overlap runs.
  std::optional<Time> secret_revoked_at;
  Permissions permissions = Permissions::All();
  // The key has allowed addresses (KeyRecord::allowed_ips): a check needs the key's record.
  bool ip_restricted = false;
  // What its organization's key policy makes of the key (model/org_policy.h), decided at every
  // check; the default is no rule (an unscoped key, or an organization without a policy).
  struct Policy {
    std::optional<Time> rotate_by{};           // refused (rotation_overdue) from then until rotated
    std::optional<Time> lifetime_ends{};       // refused as expired from then on
    bool expiration_required = false;          // refused (rotation_overdue) while it never expires
    Permissions allowed = Permissions::All();  // what the key's permissions may grant
    bool operator==(const Policy&) const = default;
  };
  Policy policy{};

  // The permissions a request may use: the key's, within what its organization allows.
  Permissions granted() const { return permissions.Within(policy.allowed); }

  // Every field: a body rendered from one state is never handed out for another.
  bool operator==(const KeyState&) const = default;
};

// An invitation to join an organization, sent to an address whether or not an account has it.
struct InvitationRecord {
  enum class Status { kPending, kAccepted, kDeclined, kCanceled, kExpired };

  std::string id;
  std::string org_id;
  std::string email;  // lower-cased
  Role role = Role::kMember;
  std::string invited_by;  // the owner's account id
  Time created_at;
  Time expires_at;
  std::optional<Time> accepted_at{};
  std::optional<Time> declined_at{};
  std::optional<Time> canceled_at{};
  // Filled by reads: the org's name and handle, and the inviting owner's address.
  std::string org_name{};
  std::string org_handle{};
  std::string invited_by_email{};

  // Closed (accepted, declined, canceled) first, then expired at `now`, else pending.
  Status StatusAt(Time now) const;
};
std::string_view InvitationStatusName(InvitationRecord::Status status);  // "pending", ...

struct AgentRecord {
  std::string id;
  std::string org_id;
  std::string name;
  std::optional<std::string> host_id;
  Time created_at;
};

struct HostRecord {
  std::string id;
  std::string org_id;
  std::string name;
  std::string address;
  Time created_at;
};

// A mail a change sends, composed by the services (service/mail_content.h) and queued by the
// store in the change's own transaction (EventRecord::mails), then sent in the background.
// Holds no secret beyond a single-use link token, and the store forgets its text once sent.
struct MailMessage {
  std::string to;  // one address
  std::string subject;
  std::string text;  // the plain-text part
  std::string html;  // the HTML part, saying the same
};

// A mail of the store's outbox as a sender claimed it (Store::ClaimMail).
struct QueuedMail {
  int64_t id = 0;
  MailMessage message;
  Time created_at;
  int attempts = 0;  // claims so far, this one included
};

struct EventRecord {
  std::string id;
  Time at;
  std::string action;  // "key.created", ...
  std::optional<std::string> actor_id;
  std::optional<std::string> org_id;
  std::string target_id;
  std::string ip;
  // The mails this event sends (a notice, a verification link, an invitation): queued in the
  // transaction that records the event, so a change and its mails commit together or not at
  // all. Not part of the audit record.
  std::vector<MailMessage> mails{};
};

// A committed change that state cached in memory (KeyVerifier) must drop. Numbered by the store's
// change log (`seq`, from 1, in commit order, without holes). kEverything: changes may have been
// missed beyond what the log still holds, and every cache must be dropped; it has no number.
struct Change {
  enum class Kind { kKey, kMembership, kEverything, kAccount, kOrg };
  Kind kind = Kind::kEverything;
  std::string key_id{};      // kKey: rotated, revoked or edited
  std::string org_id{};      // kMembership: added, removed (or the org created); kOrg: its policy
  std::string account_id{};  // kMembership; kAccount: its address or verification changed
  int64_t seq = 0;
};

// How current this node's view of the store is. A shared database (PostgreSQL) tells a node
// of other nodes' changes over a connection that may drop or stall: while it does, the node
// is not current, and `current_at` is the last moment it knew it had heard every change. A
// store only this process writes to (SQLite) is always current.
struct Freshness {
  bool current = true;
  Time current_at{};     // when !current
  int64_t catchups = 0;  // times missed changes were read back from the log (for /metrics)
};

}  // namespace tfzo

#endif  // TFZO_MODEL_RECORDS_H_
