#ifndef TFZO_STORE_STATEMENTS_H_
#define TFZO_STORE_STATEMENTS_H_

// The SQL SqlStore runs on both engines, in PostgreSQL's syntax. SqliteDatabase translates a
// statement once, when it prepares it: $n becomes SQLite's ?n, and a trailing FOR UPDATE (or
// FOR UPDATE SKIP LOCKED, or FOR SHARE) is dropped (its BEGIN IMMEDIATE transaction already
// holds the database's only write lock). The few statements that differ (transactions,
// notifications, the batched last_used update) stay in their engine. The schema is in
// migrations/.
//
// Rows are read by column name (SqlRow), so every selected column has an AS name: SQLite
// leaves the name of a column without one unspecified. Each text is a static array: the
// SQLite statement cache is keyed by its address.

namespace tfzo::sql {

// A key's columns (ReadKey reads them by these names), and the tables they come from.
#define TFZO_KEY_COLUMNS                                                                       \
  "k.id AS id, k.account_id AS account_id, k.name AS name, "                                   \
  "k.description AS description, k.hint AS hint, k.org_id AS org_id, "                         \
  "k.created_at AS created_at, k.expires_at AS expires_at, u.last_used_at AS last_used_at, "   \
  "k.rotated_at AS rotated_at, k.revoked_at AS revoked_at, COALESCE(o.name, '') AS org_name, " \
  "a.email AS email, k.permissions AS permissions, k.allowed_ips AS allowed_ips, "             \
  "k.previous_valid_until AS previous_valid_until, "                                           \
  "CASE WHEN s.id IS NULL THEN NULL ELSE a.name END AS service_account_name, "                 \
  "k.exposed_at AS exposed_at "
// A key's last use is in key_uses (migration 0017). LEFT JOIN: a key a node of the previous
// version made during a rollout has no row there until its first use (PostgreSQL's flush
// inserts it), and is never hidden for that.
#define TFZO_KEY_FROM                                                                        \
  "FROM api_keys k JOIN accounts a ON a.id = k.account_id "                                  \
  "LEFT JOIN orgs o ON o.id = k.org_id LEFT JOIN service_accounts s ON s.id = k.account_id " \
  "LEFT JOIN key_uses u ON u.key_id = k.id "
// What the key flags (model/key_flags.h) need beyond the key's own columns: a key scoped to an
// organization whose owner, a person (not a service account: s), has no membership in it any
// more (the primary key of memberships answers it).
#define TFZO_KEY_OWNER_LEFT                                                              \
  "(k.org_id IS NOT NULL AND s.id IS NULL AND NOT EXISTS (SELECT 1 FROM memberships km " \
  "WHERE km.org_id = k.org_id AND km.account_id = k.account_id))"
#define TFZO_KEY_FLAG_COLUMNS \
  ", CASE WHEN " TFZO_KEY_OWNER_LEFT " THEN 1 ELSE 0 END AS owner_left_org "
#define TFZO_KEY_SELECT "SELECT " TFZO_KEY_COLUMNS TFZO_KEY_FLAG_COLUMNS TFZO_KEY_FROM
// An org_policies row p (ReadOrgPolicy): every column NULL when a LEFT JOIN found none.
#define TFZO_POLICY_COLUMNS                                                                \
  "p.max_lifetime_days AS max_lifetime_days, p.require_expiration AS require_expiration, " \
  "p.rotate_every_days AS rotate_every_days, "                                             \
  "p.revoke_unused_after_days AS revoke_unused_after_days, "                               \
  "p.allowed_permissions AS allowed_permissions, p.updated_at AS policy_updated_at, "      \
  "p.updated_by AS policy_updated_by "
// Memberships of live organizations only: a membership added by a transaction that raced an
// organization's deletion is never shown.
#define TFZO_MEMBERSHIP_SELECT                                                              \
  "SELECT m.org_id AS org_id, o.name AS org_name, o.handle AS org_handle, "                 \
  "m.account_id AS account_id, a.email AS email, m.role AS role, "                          \
  "o.require_two_factor AS org_requires_two_factor, "                                       \
  "CASE WHEN a.totp_enabled_at IS NULL THEN 0 ELSE 1 END AS two_factor FROM memberships m " \
  "JOIN orgs o ON o.id = m.org_id AND o.deleted_at IS NULL "                                \
  "JOIN accounts a ON a.id = m.account_id "
#define TFZO_EVENT_SELECT                                                         \
  "SELECT e.id AS id, e.at AS at, e.action AS action, e.actor_id AS actor_id, "   \
  "e.org_id AS org_id, e.target_id AS target_id, e.ip AS ip FROM audit_events e " \
  "WHERE (e.actor_id = $1 OR (e.actor_id IS NULL AND (e.target_id = $1 "          \
  "OR e.target_id IN (SELECT x.id FROM api_keys x WHERE x.account_id = $1))) "    \
  "OR e.org_id IN (SELECT m.org_id FROM memberships m "                           \
  "WHERE m.account_id = $1 AND m.role = 'owner')) "
#define TFZO_AGENT_SELECT \
  "SELECT id AS id, org_id AS org_id, name AS name, host_id AS host_id, created_at AS created_at "
#define TFZO_HOST_SELECT \
  "SELECT id AS id, org_id AS org_id, name AS name, address AS address, created_at AS created_at "
#define TFZO_ACCOUNT_SELECT                                                         \
  "SELECT id AS id, email AS email, name AS name, password_hash AS password_hash, " \
  "created_at AS created_at, email_verified_at AS email_verified_at, "              \
  "pending_email AS pending_email, "                                                \
  "CASE WHEN totp_enabled_at IS NULL THEN 0 ELSE 1 END AS two_factor FROM accounts "
#define TFZO_INVITATION_SELECT                                                                 \
  "SELECT i.id AS id, i.org_id AS org_id, i.email AS email, i.role AS role, "                  \
  "i.invited_by AS invited_by, i.created_at AS created_at, i.expires_at AS expires_at, "       \
  "i.accepted_at AS accepted_at, i.declined_at AS declined_at, i.canceled_at AS canceled_at, " \
  "o.name AS org_name, o.handle AS org_handle, a.email AS invited_by_email "                   \
  "FROM invitations i JOIN orgs o ON o.id = i.org_id AND o.deleted_at IS NULL "                \
  "JOIN accounts a ON a.id = i.invited_by "
// An invitation is pending at `at` (a parameter): none of its ends happened and it has not
// expired. Unqualified: these columns are the invitations table's alone.
#define TFZO_INVITATION_PENDING(at) \
  "accepted_at IS NULL AND declined_at IS NULL AND canceled_at IS NULL AND expires_at > " at

inline constexpr char kPing[] = "SELECT 1 AS one";

inline constexpr char kInsertEvent[] =
    "INSERT INTO audit_events (id, at, action, actor_id, org_id, target_id, ip) "
    "VALUES ($1, $2, $3, $4, $5, $6, $7)";

inline constexpr char kEmailExists[] = "SELECT 1 AS taken FROM accounts WHERE email = $1";

inline constexpr char kInsertAccount[] =
    "INSERT INTO accounts (id, email, name, password_hash, created_at) "
    "VALUES ($1, $2, $3, $4, $5)";

inline constexpr char kFindAccount[] = TFZO_ACCOUNT_SELECT "WHERE id = $1";

inline constexpr char kFindAccountByEmail[] = TFZO_ACCOUNT_SELECT "WHERE email = $1";

// E-mail verification (migrations/0006_verification_invitations.sql).

// A sign-up through a claim link: the address is verified as the account is made.
inline constexpr char kInsertAccountVerified[] =
    "INSERT INTO accounts (id, email, name, password_hash, created_at, email_verified_at) "
    "VALUES ($1, $2, $3, $4, $5, $5)";

inline constexpr char kInsertToken[] =
    "INSERT INTO account_tokens (digest, purpose, account_id, email, created_at, expires_at, "
    "used_at) VALUES ($1, $2, $3, $4, $5, $6, NULL)";

inline constexpr char kFindToken[] =
    "SELECT purpose AS purpose, account_id AS account_id, email AS email, "
    "created_at AS created_at, expires_at AS expires_at, used_at AS used_at "
    "FROM account_tokens WHERE digest = $1";

// Uses token $1 of purpose $3 at $2, once: a second use, or a concurrent one, changes no row.
inline constexpr char kUseToken[] =
    "UPDATE account_tokens SET used_at = $2 WHERE digest = $1 AND purpose = $3 "
    "AND used_at IS NULL AND expires_at > $2 RETURNING account_id AS account_id, email AS email";

// The account that has address $1, other than $2, and whether it verified it; locked, so that
// a concurrent verification of the same address waits for this transaction.
inline constexpr char kLockEmailHolder[] =
    "SELECT id AS id, email_verified_at AS email_verified_at FROM accounts "
    "WHERE email = $1 AND id <> $2 FOR UPDATE";

inline constexpr char kReleaseEmail[] = "UPDATE accounts SET email = $2 WHERE id = $1";

// The account's address becomes $2, verified at $3; a pending change to it is done.
inline constexpr char kSetVerifiedEmail[] =
    "UPDATE accounts SET email = $2, email_verified_at = $3, pending_email = "
    "CASE WHEN pending_email = $2 THEN NULL ELSE pending_email END WHERE id = $1";

inline constexpr char kSetPendingEmail[] = "UPDATE accounts SET pending_email = $2 WHERE id = $1";

inline constexpr char kInsertSession[] =
    "INSERT INTO sessions (token_digest, account_id, csrf_token, created_at, last_seen_at, id, "
    "ip, user_agent) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)";

#define TFZO_SESSION_SELECT                                                      \
  "SELECT account_id AS account_id, csrf_token AS csrf_token, "                  \
  "created_at AS created_at, last_seen_at AS last_seen_at, id AS id, ip AS ip, " \
  "user_agent AS user_agent FROM sessions "

inline constexpr char kFindSession[] = TFZO_SESSION_SELECT "WHERE token_digest = $1";

// The session's columns renamed where the account's have the same name (ReadSignedIn).
inline constexpr char kFindSignedIn[] =
    "SELECT s.csrf_token AS csrf_token, s.created_at AS session_created_at, "
    "s.last_seen_at AS last_seen_at, s.id AS session_id, s.ip AS session_ip, "
    "s.user_agent AS user_agent, a.id AS id, a.email AS email, a.name AS name, "
    "a.password_hash AS password_hash, a.created_at AS created_at, "
    "a.email_verified_at AS email_verified_at, a.pending_email AS pending_email, "
    "CASE WHEN a.totp_enabled_at IS NULL THEN 0 ELSE 1 END AS two_factor "
    "FROM sessions s JOIN accounts a ON a.id = s.account_id WHERE s.token_digest = $1";

inline constexpr char kListSessions[] =
    TFZO_SESSION_SELECT "WHERE account_id = $1 ORDER BY last_seen_at DESC, created_at DESC, id";
#undef TFZO_SESSION_SELECT

inline constexpr char kDeleteSessionById[] =
    "DELETE FROM sessions WHERE account_id = $1 AND id = $2";

// Every session of the account but the one whose digest is $2 ('' matches none: every one).
inline constexpr char kDeleteOtherSessions[] =
    "DELETE FROM sessions WHERE account_id = $1 AND token_digest <> $2";

inline constexpr char kSetPasswordHash[] =
    "UPDATE accounts SET password_hash = $2 WHERE id = $1 AND deleted_at IS NULL";

// The account's unused reset links stop working (at $2): a password just set must not be
// replaced through an older link.
inline constexpr char kVoidResetTokens[] =
    "UPDATE account_tokens SET used_at = $2 WHERE account_id = $1 "
    "AND purpose = 'reset_password' AND used_at IS NULL";

// Account deletion.
inline constexpr char kLockLiveAccount[] =
    "SELECT id AS id FROM accounts WHERE id = $1 AND deleted_at IS NULL FOR UPDATE";

// The live organizations the account belongs to, in one order (locks are taken org by org).
inline constexpr char kAccountOrgs[] =
    "SELECT m.org_id AS org_id, o.handle AS handle FROM memberships m "
    "JOIN orgs o ON o.id = m.org_id AND o.deleted_at IS NULL "
    "WHERE m.account_id = $1 ORDER BY m.org_id";

inline constexpr char kLockAccountLiveKeys[] =
    "SELECT id AS id FROM api_keys WHERE account_id = $1 AND revoked_at IS NULL ORDER BY id "
    "FOR UPDATE";
inline constexpr char kRevokeAccountSecrets[] =
    "UPDATE key_secrets SET revoked_at = $2 WHERE revoked_at IS NULL "
    "AND key_id IN (SELECT id FROM api_keys WHERE account_id = $1)";
inline constexpr char kRevokeAccountKeys[] =
    "UPDATE api_keys SET revoked_at = $2 WHERE account_id = $1 AND revoked_at IS NULL";
inline constexpr char kDeleteAccountSessions[] = "DELETE FROM sessions WHERE account_id = $1";
inline constexpr char kDeleteAccountTokens[] = "DELETE FROM account_tokens WHERE account_id = $1";

// last_seen_at only moves forward.
inline constexpr char kTouchSession[] =
    "UPDATE sessions SET last_seen_at = "
    "CASE WHEN last_seen_at < $2 THEN $2 ELSE last_seen_at END WHERE token_digest = $1";

inline constexpr char kDeleteSession[] = "DELETE FROM sessions WHERE token_digest = $1";

inline constexpr char kDeleteIdleSessions[] = "DELETE FROM sessions WHERE last_seen_at < $1";

inline constexpr char kInsertOrg[] =
    "INSERT INTO orgs (id, name, handle, created_at) VALUES ($1, $2, $3, $4)";

inline constexpr char kFindOrg[] =
    "SELECT id AS id, name AS name, handle AS handle, created_at AS created_at, "
    "require_two_factor AS require_two_factor FROM orgs WHERE id = $1 AND deleted_at IS NULL";

// Whether a live organization other than $2 has the handle $1 (the unique index decides a race).
inline constexpr char kHandleTaken[] =
    "SELECT 1 AS taken FROM orgs WHERE handle = $1 AND deleted_at IS NULL AND id <> $2";

inline constexpr char kUpdateOrg[] =
    "UPDATE orgs SET name = $2, handle = $3, require_two_factor = $4 "
    "WHERE id = $1 AND deleted_at IS NULL";

// The org row's lock serializes its deletion with what refers to it: a key scoped to it is
// created (kLockLiveOrgShared) before the deletion locks it, and is revoked by it, or after,
// and is refused.
inline constexpr char kLockLiveOrg[] =
    "SELECT id AS id FROM orgs WHERE id = $1 AND deleted_at IS NULL FOR UPDATE";
inline constexpr char kLockLiveOrgShared[] =
    "SELECT id AS id FROM orgs WHERE id = $1 AND deleted_at IS NULL FOR SHARE";

inline constexpr char kOrgMemberIds[] =
    "SELECT account_id AS account_id FROM memberships WHERE org_id = $1 ORDER BY account_id";

// Keys scoped to the org that are not revoked, locked as a revocation locks one (kLockKey).
inline constexpr char kLockOrgLiveKeys[] =
    "SELECT id AS id FROM api_keys WHERE org_id = $1 AND revoked_at IS NULL ORDER BY id "
    "FOR UPDATE";

inline constexpr char kRevokeOrgSecrets[] =
    "UPDATE key_secrets SET revoked_at = $2 WHERE revoked_at IS NULL "
    "AND key_id IN (SELECT id FROM api_keys WHERE org_id = $1)";
inline constexpr char kRevokeOrgKeys[] =
    "UPDATE api_keys SET revoked_at = $2 WHERE org_id = $1 AND revoked_at IS NULL";
inline constexpr char kDeleteOrgAgents[] = "DELETE FROM agents WHERE org_id = $1";
inline constexpr char kDeleteOrgHosts[] = "DELETE FROM hosts WHERE org_id = $1";
inline constexpr char kDeleteOrgMemberships[] = "DELETE FROM memberships WHERE org_id = $1";
inline constexpr char kSetOrgDeleted[] = "UPDATE orgs SET deleted_at = $2 WHERE id = $1";

inline constexpr char kInsertMembership[] =
    "INSERT INTO memberships (org_id, account_id, role, joined_at, seq) VALUES ($1, $2, $3, $4, "
    "(SELECT COALESCE(MAX(seq), 0) + 1 FROM memberships WHERE org_id = $1))";

inline constexpr char kListMemberships[] =
    TFZO_MEMBERSHIP_SELECT "WHERE m.account_id = $1 ORDER BY o.created_at, o.seq";

inline constexpr char kListMembers[] =
    TFZO_MEMBERSHIP_SELECT "WHERE m.org_id = $1 ORDER BY m.seq, m.account_id";

inline constexpr char kFindMembership[] =
    TFZO_MEMBERSHIP_SELECT "WHERE m.org_id = $1 AND m.account_id = $2";

inline constexpr char kFindRole[] =
    "SELECT m.role AS role FROM memberships m JOIN orgs o ON o.id = m.org_id "
    "AND o.deleted_at IS NULL WHERE m.org_id = $1 AND m.account_id = $2";

// The org's owners and the account leaving, locked in one order (so two concurrent removals
// cannot deadlock) before the last-owner rule is checked.
inline constexpr char kLockOwnersAndMember[] =
    "SELECT account_id AS account_id, role AS role FROM memberships WHERE org_id = $1 "
    "AND (role = 'owner' OR account_id = $2) ORDER BY account_id FOR UPDATE";

inline constexpr char kSetRole[] =
    "UPDATE memberships SET role = $3 WHERE org_id = $1 AND account_id = $2";

inline constexpr char kDeleteMembership[] =
    "DELETE FROM memberships WHERE org_id = $1 AND account_id = $2";

// Two-factor sign-in (migrations/0008_two_factor.sql).

// Locked: enabling, disabling and using a step are one at a time per account, on every node.
inline constexpr char kLockTotp[] =
    "SELECT totp_secret AS totp_secret, totp_enabled_at AS totp_enabled_at, "
    "totp_last_step AS totp_last_step FROM accounts WHERE id = $1 FOR UPDATE";
inline constexpr char kFindTotp[] =
    "SELECT totp_secret AS totp_secret, totp_enabled_at AS totp_enabled_at, "
    "totp_last_step AS totp_last_step FROM accounts WHERE id = $1";
inline constexpr char kSetupTotp[] =
    "UPDATE accounts SET totp_secret = $2, totp_last_step = 0 WHERE id = $1";
inline constexpr char kEnableTotp[] =
    "UPDATE accounts SET totp_enabled_at = $2, totp_last_step = $3 WHERE id = $1";
inline constexpr char kDisableTotp[] =
    "UPDATE accounts SET totp_secret = NULL, totp_enabled_at = NULL, totp_last_step = 0 "
    "WHERE id = $1";
// Compare-and-set: a step is used only after the last one, so a code is accepted once.
inline constexpr char kUseTotpStep[] =
    "UPDATE accounts SET totp_last_step = $2 WHERE id = $1 AND totp_enabled_at IS NOT NULL "
    "AND totp_last_step < $2";
inline constexpr char kDeleteRecoveryCodes[] = "DELETE FROM recovery_codes WHERE account_id = $1";
inline constexpr char kInsertRecoveryCode[] =
    "INSERT INTO recovery_codes (account_id, digest, created_at, used_at) VALUES ($1, $2, $3, "
    "NULL)";
inline constexpr char kUseRecoveryCode[] =
    "UPDATE recovery_codes SET used_at = $3 WHERE account_id = $1 AND digest = $2 "
    "AND used_at IS NULL";
// The account's memberships, for the changes two-factor's turning on or off logs.
inline constexpr char kAccountOrgIds[] =
    "SELECT org_id AS org_id FROM memberships WHERE account_id = $1 ORDER BY org_id";

// Invitations (migrations/0006_verification_invitations.sql).

inline constexpr char kPendingInvitationExists[] =
    "SELECT 1 AS found FROM invitations i WHERE i.org_id = $1 AND i.email = $2 "
    "AND " TFZO_INVITATION_PENDING("$3");

inline constexpr char kMemberWithEmail[] =
    "SELECT 1 AS found FROM memberships m JOIN accounts a ON a.id = m.account_id "
    "WHERE m.org_id = $1 AND a.email = $2";

inline constexpr char kInsertInvitation[] =
    "INSERT INTO invitations (id, org_id, email, role, invited_by, created_at, expires_at) "
    "VALUES ($1, $2, $3, $4, $5, $6, $7)";

inline constexpr char kFindInvitation[] = TFZO_INVITATION_SELECT "WHERE i.id = $1";

inline constexpr char kListOrgInvitations[] = TFZO_INVITATION_SELECT
    "WHERE i.org_id = $1 AND accepted_at IS NULL AND declined_at IS NULL "
    "AND canceled_at IS NULL ORDER BY i.seq DESC";

inline constexpr char kListInvitationsTo[] = TFZO_INVITATION_SELECT
    "WHERE i.email = $1 AND " TFZO_INVITATION_PENDING("$2") " ORDER BY i.seq DESC";

// Accepts invitation $1 at $3 for account $2 when it is pending and to $2's verified address.
inline constexpr char kAcceptInvitation[] =
    "UPDATE invitations SET accepted_at = $3 WHERE id = $1 AND " TFZO_INVITATION_PENDING("$3")
    " AND email = (SELECT a.email FROM accounts a WHERE a.id = $2 "
    "AND a.email_verified_at IS NOT NULL) RETURNING org_id AS org_id, role AS role";

inline constexpr char kDeclineInvitation[] =
    "UPDATE invitations SET declined_at = $2 WHERE id = $1 AND " TFZO_INVITATION_PENDING("$2");

inline constexpr char kCancelInvitation[] =
    "UPDATE invitations SET canceled_at = $2 WHERE id = $1 AND " TFZO_INVITATION_PENDING("$2");

// A deleted account's pending invitations to others.
inline constexpr char kCancelInvitationsBy[] =
    "UPDATE invitations SET canceled_at = $2 WHERE invited_by = $1 "
    "AND " TFZO_INVITATION_PENDING("$2");

// The address is free again; the row stays for the audit log and the revoked keys.
inline constexpr char kSetAccountDeleted[] =
    "UPDATE accounts SET email = $2, name = '', password_hash = '', pending_email = NULL, "
    "email_verified_at = NULL, deleted_at = $3 WHERE id = $1";

inline constexpr char kInsertKey[] =
    "INSERT INTO api_keys (id, account_id, name, description, hint, org_id, created_at, "
    "expires_at, rotated_at, revoked_at, permissions, allowed_ips) "
    "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)";
// A key's row in key_uses, inserted with the key: SQLite's usage flush then only updates.
inline constexpr char kInsertKeyUse[] =
    "INSERT INTO key_uses (key_id, last_used_at) VALUES ($1, $2)";

inline constexpr char kInsertSecret[] =
    "INSERT INTO key_secrets (digest, key_id, hint, created_at, revoked_at) "
    "VALUES ($1, $2, $3, $4, $5)";

inline constexpr char kFindKey[] = TFZO_KEY_SELECT "WHERE k.id = $1";

inline constexpr char kListKeys[] =
    TFZO_KEY_SELECT "WHERE k.account_id = $1 ORDER BY k.created_at DESC, k.seq DESC";

inline constexpr char kListOrgKeys[] =
    TFZO_KEY_SELECT "WHERE k.org_id = $1 ORDER BY k.created_at DESC, k.seq DESC";

// A key the keys list's needs_attention shows: active at $3 and flagged (KeyFlags): last used,
// or created, at or before $6; created or rotated at or before $7; expiring at or before $8; or
// its owner left its organization.
#define TFZO_KEY_NEEDS_ATTENTION                                                           \
  "($2 = 'needs_attention' AND k.revoked_at IS NULL AND "                                  \
  "(k.expires_at IS NULL OR k.expires_at > $3) AND "                                       \
  "(COALESCE(u.last_used_at, k.created_at) <= $6 OR COALESCE(k.rotated_at, k.created_at) " \
  "<= $7 OR k.expires_at <= $8 OR " TFZO_KEY_OWNER_LEFT "))"

// A page of a keys list (Store::QueryKeys): $1 the account or the org, $2 the state ('any',
// 'active', 'expired', 'revoked', 'needs_attention') at $3, $4 a LIKE pattern over the name,
// description and hint with A-Z folded to a-z ('' for any), $5 the page size, $6 to $8 the
// flags' thresholds; after a cursor, $9 and $10 are its
// created_at and seq. Folding goes through COLLATE "C" (SqliteDatabase defines a "C" collation):
// PostgreSQL's lower() then folds A-Z only, as SQLite's always does, so both engines answer
// alike whatever the database's locale. Keyset paging on (created_at, seq), the list's order,
// which the indexes of migration 0011 serve.
#define TFZO_KEY_PAGE(owner, after)                                                              \
  TFZO_KEY_SELECT_SEQ "WHERE k." owner                                                           \
                      " = $1 AND ($2 = 'any' "                                                   \
                      "OR ($2 = 'revoked' AND k.revoked_at IS NOT NULL) "                        \
                      "OR ($2 = 'active' AND k.revoked_at IS NULL AND (k.expires_at IS NULL OR " \
                      "k.expires_at > $3)) "                                                     \
                      "OR ($2 = 'expired' AND k.revoked_at IS NULL AND k.expires_at <= $3) "     \
                      "OR " TFZO_KEY_NEEDS_ATTENTION                                             \
                      ") "                                                                       \
                      "AND ($4 = '' OR lower(k.name COLLATE \"C\") LIKE $4 ESCAPE '\\' "         \
                      "OR lower(k.description COLLATE \"C\") LIKE $4 ESCAPE '\\' "               \
                      "OR lower(k.hint COLLATE \"C\") LIKE $4 ESCAPE '\\') " after               \
                      "ORDER BY k.created_at DESC, k.seq DESC LIMIT $5"
#define TFZO_KEY_SELECT_SEQ \
  "SELECT " TFZO_KEY_COLUMNS TFZO_KEY_FLAG_COLUMNS ", k.seq AS seq " TFZO_KEY_FROM
#define TFZO_KEY_AFTER "AND (k.created_at, k.seq) < ($9, $10) "
inline constexpr char kPageAccountKeys[] = TFZO_KEY_PAGE("account_id", "");
inline constexpr char kPageAccountKeysAfter[] = TFZO_KEY_PAGE("account_id", TFZO_KEY_AFTER);
inline constexpr char kPageOrgKeys[] = TFZO_KEY_PAGE("org_id", "");
inline constexpr char kPageOrgKeysAfter[] = TFZO_KEY_PAGE("org_id", TFZO_KEY_AFTER);

// Bulk revocation: the key's owner, locked as a revocation locks one (kLockKey).
inline constexpr char kLockKeyOwner[] =
    "SELECT account_id AS account_id, revoked_at AS revoked_at FROM api_keys WHERE id = $1 "
    "FOR UPDATE";

// Quotas, counted with the account's row locked (kLockLiveAccount).
inline constexpr char kCountActiveKeys[] =
    "SELECT COUNT(*) AS n FROM api_keys WHERE account_id = $1 AND revoked_at IS NULL "
    "AND (expires_at IS NULL OR expires_at > $2)";
inline constexpr char kCountLiveOrgs[] =
    "SELECT COUNT(*) AS n FROM memberships m JOIN orgs o ON o.id = m.org_id "
    "AND o.deleted_at IS NULL WHERE m.account_id = $1";

inline constexpr char kUpdateKey[] =
    "UPDATE api_keys SET name = $2, description = $3, expires_at = $4, permissions = $5, "
    "allowed_ips = $6 WHERE id = $1";

// The key row's lock serializes rotations and revocations of one key across nodes.
inline constexpr char kLockKey[] =
    "SELECT revoked_at AS revoked_at FROM api_keys WHERE id = $1 FOR UPDATE";

// Every secret of key $1 that works at $2 (the current one, and one whose overlap runs) stops
// working at $2.
inline constexpr char kRevokeSecrets[] =
    "UPDATE key_secrets SET revoked_at = $2 WHERE key_id = $1 "
    "AND (revoked_at IS NULL OR revoked_at > $2)";

// A rotation at $2 ends an overlap still running, and gives the current secret until $3 (= $2
// without an overlap).
inline constexpr char kEndOverlap[] =
    "UPDATE key_secrets SET revoked_at = $2 WHERE key_id = $1 AND revoked_at > $2";
inline constexpr char kRevokeCurrentSecret[] =
    "UPDATE key_secrets SET revoked_at = $2 WHERE key_id = $1 AND revoked_at IS NULL";

inline constexpr char kSetRotated[] =
    "UPDATE api_keys SET hint = $2, rotated_at = $3, previous_valid_until = $4 WHERE id = $1";

inline constexpr char kSetExpires[] = "UPDATE api_keys SET expires_at = $2 WHERE id = $1";

inline constexpr char kSetRevoked[] =
    "UPDATE api_keys SET revoked_at = $2, previous_valid_until = NULL WHERE id = $1";
// A revocation because the key's value was reported exposed (Store::RevokeExposedKey).
inline constexpr char kSetExposed[] = "UPDATE api_keys SET exposed_at = $2 WHERE id = $1";
// The keys of account $1, and of the service accounts of the live organizations it owns,
// reported exposed at or after $2, newest first (GET /api/session's exposed_keys).
inline constexpr char kListExposedKeys[] = TFZO_KEY_SELECT
    "WHERE k.exposed_at >= $2 AND (k.account_id = $1 OR k.account_id IN ("
    "SELECT sa.id FROM service_accounts sa JOIN memberships m ON m.org_id = sa.org_id "
    "AND m.account_id = $1 AND m.role = 'owner' JOIN orgs mo ON mo.id = sa.org_id "
    "AND mo.deleted_at IS NULL)) ORDER BY k.exposed_at DESC, k.seq DESC LIMIT $3";

// With the policy of the key's organization, if it has one (ReadKeyState applies it).
inline constexpr char kFindKeyBySecret[] =
    "SELECT k.id AS key_id, k.account_id AS account_id, k.org_id AS org_id, "
    "k.expires_at AS expires_at, k.revoked_at AS key_revoked_at, "
    "s.revoked_at AS secret_revoked_at, k.permissions AS permissions, "
    "CASE WHEN k.allowed_ips = '' THEN 0 ELSE 1 END AS ip_restricted, "
    "COALESCE(k.rotated_at, k.created_at) AS since, " TFZO_POLICY_COLUMNS
    "FROM key_secrets s JOIN api_keys k ON k.id = s.key_id "
    "LEFT JOIN org_policies p ON p.org_id = k.org_id WHERE s.digest = $1";

// A live organization's policy (every column NULL when it has none).
inline constexpr char kFindOrgPolicy[] = "SELECT o.id AS id, " TFZO_POLICY_COLUMNS
                                         "FROM orgs o LEFT JOIN org_policies p ON p.org_id = o.id "
                                         "WHERE o.id = $1 AND o.deleted_at IS NULL";
inline constexpr char kSetOrgPolicy[] =
    "INSERT INTO org_policies (org_id, max_lifetime_days, require_expiration, rotate_every_days, "
    "revoke_unused_after_days, allowed_permissions, updated_at, updated_by) "
    "VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (org_id) DO UPDATE SET "
    "max_lifetime_days = excluded.max_lifetime_days, "
    "require_expiration = excluded.require_expiration, "
    "rotate_every_days = excluded.rotate_every_days, "
    "revoke_unused_after_days = excluded.revoke_unused_after_days, "
    "allowed_permissions = excluded.allowed_permissions, updated_at = excluded.updated_at, "
    "updated_by = excluded.updated_by";

inline constexpr char kHostInOrg[] = "SELECT 1 AS found FROM hosts WHERE id = $1 AND org_id = $2";

inline constexpr char kInsertAgent[] =
    "INSERT INTO agents (id, org_id, name, host_id, created_at) VALUES ($1, $2, $3, $4, $5)";

inline constexpr char kListAgents[] =
    TFZO_AGENT_SELECT "FROM agents WHERE org_id = $1 ORDER BY seq";

inline constexpr char kFindAgent[] = TFZO_AGENT_SELECT "FROM agents WHERE org_id = $1 AND id = $2";

inline constexpr char kDeleteAgent[] = "DELETE FROM agents WHERE org_id = $1 AND id = $2";

inline constexpr char kInsertHost[] =
    "INSERT INTO hosts (id, org_id, name, address, created_at) VALUES ($1, $2, $3, $4, $5)";

inline constexpr char kListHosts[] = TFZO_HOST_SELECT "FROM hosts WHERE org_id = $1 ORDER BY seq";

inline constexpr char kFindHost[] = TFZO_HOST_SELECT "FROM hosts WHERE org_id = $1 AND id = $2";

// One statement: ON DELETE SET NULL detaches the host's agents atomically.
inline constexpr char kDeleteHost[] = "DELETE FROM hosts WHERE org_id = $1 AND id = $2";

inline constexpr char kListEvents[] = TFZO_EVENT_SELECT "ORDER BY e.seq DESC LIMIT $2";

inline constexpr char kListEventsBefore[] = TFZO_EVENT_SELECT
    "AND e.seq < (SELECT b.seq FROM audit_events b WHERE b.id = $3) "
    "ORDER BY e.seq DESC LIMIT $2";

// The change log (migrations/0003_change_log.sql). Taking a number locks the counter row until
// commit: changes commit in the order of their numbers.
inline constexpr char kNextChangeSeq[] =
    "UPDATE change_counter SET seq = seq + 1 WHERE id = 1 RETURNING seq AS seq";
inline constexpr char kInsertChange[] =
    "INSERT INTO changes (seq, kind, key_id, org_id, account_id, at) "
    "VALUES ($1, $2, $3, $4, $5, $6)";
// Drops the changes numbered up to $1 (SqlStore keeps the newest kKeptChanges).
inline constexpr char kPruneChanges[] = "DELETE FROM changes WHERE seq <= $1";
// The last committed change's number.
inline constexpr char kLastChangeSeq[] = "SELECT seq AS seq FROM change_counter WHERE id = 1";
inline constexpr char kChangesSince[] =
    "SELECT seq AS seq, kind AS kind, key_id AS key_id, org_id AS org_id, "
    "account_id AS account_id FROM changes WHERE seq > $1 ORDER BY seq LIMIT $2";

// The mail queue (migrations/0004_mail_outbox.sql).
inline constexpr char kInsertMail[] =
    "INSERT INTO mail_outbox (recipient, subject, text, html, created_at, attempts, "
    "next_attempt_at) VALUES ($1, $2, $3, $4, $5, 0, $5)";
// The oldest mail due at $1. PostgreSQL: SKIP LOCKED passes over a row another node is
// claiming at this moment instead of waiting for it; once that node commits, its lease keeps
// the row out. (SQLite: one writer at a time, nothing to skip.)
inline constexpr char kFindDueMail[] =
    "SELECT id AS id, recipient AS recipient, subject AS subject, text AS text, html AS html, "
    "created_at AS created_at, attempts AS attempts FROM mail_outbox "
    "WHERE sent_at IS NULL AND failed_at IS NULL AND next_attempt_at <= $1 "
    "AND (claimed_until IS NULL OR claimed_until <= $1) ORDER BY next_attempt_at, id LIMIT 1 "
    "FOR UPDATE SKIP LOCKED";
inline constexpr char kClaimMail[] =
    "UPDATE mail_outbox SET claimed_until = $2, attempts = attempts + 1 WHERE id = $1";
inline constexpr char kMailSent[] =
    "UPDATE mail_outbox SET sent_at = $2, claimed_until = NULL, text = '', html = '' "
    "WHERE id = $1";
inline constexpr char kRetryMail[] =
    "UPDATE mail_outbox SET next_attempt_at = $2, claimed_until = NULL, last_error = $3 "
    "WHERE id = $1";
inline constexpr char kMailFailed[] =
    "UPDATE mail_outbox SET failed_at = $2, claimed_until = NULL, last_error = $3, text = '', "
    "html = '' WHERE id = $1";
// A service account's keys are not among them: it has no mailbox (ServiceAccountEmail).
inline constexpr char kListKeysForNotice[] = TFZO_KEY_SELECT
    "WHERE k.revoked_at IS NULL AND k.expires_at > $2 AND k.expires_at <= $3 AND s.id IS NULL "
    "AND NOT EXISTS (SELECT 1 FROM key_notices n WHERE n.key_id = k.id AND n.kind = $1 "
    "AND n.expires_at = k.expires_at) ORDER BY k.expires_at, k.seq";
// Changes no row when the notice is already recorded: the caller then queues no mail.
inline constexpr char kInsertKeyNotice[] =
    "INSERT INTO key_notices (key_id, kind, expires_at, queued_at) VALUES ($1, $2, $3, $4) "
    "ON CONFLICT DO NOTHING";

// Periodic jobs (migration 0014). Claims the job `$1` at `$2` when no run started after
// `$3` (its interval before): changes no row otherwise.
inline constexpr char kClaimJob[] =
    "INSERT INTO job_runs (job, last_run_at, runs) VALUES ($1, $2, 1) ON CONFLICT (job) DO "
    "UPDATE SET last_run_at = excluded.last_run_at, runs = job_runs.runs + 1 "
    "WHERE job_runs.last_run_at <= $3";
// Active keys scoped to a live organization whose policy (migration 0012) has
// revoke_unused_after_days, unused that many days at $1: last used, or created or rotated when
// not used since (rotated_at >= created_at), that long before or earlier. Oldest first.
inline constexpr char kListUnusedKeys[] =
    "SELECT " TFZO_KEY_COLUMNS TFZO_KEY_FLAG_COLUMNS
    ", p.revoke_unused_after_days AS unused_days " TFZO_KEY_FROM
    "JOIN org_policies p ON p.org_id = k.org_id "
    "WHERE p.revoke_unused_after_days IS NOT NULL AND o.deleted_at IS NULL "
    "AND k.revoked_at IS NULL AND (k.expires_at IS NULL OR k.expires_at > $1) "
    "AND CASE WHEN u.last_used_at > COALESCE(k.rotated_at, k.created_at) THEN u.last_used_at "
    "ELSE COALESCE(k.rotated_at, k.created_at) END <= $1 - p.revoke_unused_after_days * CAST(86400 "
    "AS BIGINT) "
    "ORDER BY k.created_at, k.seq";

// Service accounts (migration 0010). Live ones only, unless said otherwise.
#define TFZO_SERVICE_ACCOUNT_SELECT                                                       \
  "SELECT s.id AS id, s.org_id AS org_id, a.name AS name, s.description AS description, " \
  "s.created_by AS created_by, s.created_at AS created_at, s.deleted_at AS deleted_at "   \
  "FROM service_accounts s JOIN accounts a ON a.id = s.id "                               \
  "JOIN orgs o ON o.id = s.org_id AND o.deleted_at IS NULL "
inline constexpr char kInsertServiceAccount[] =
    "INSERT INTO service_accounts (id, org_id, description, created_by, created_at) "
    "VALUES ($1, $2, $3, $4, $5)";
inline constexpr char kListServiceAccounts[] = TFZO_SERVICE_ACCOUNT_SELECT
    "WHERE s.org_id = $1 AND s.deleted_at IS NULL ORDER BY s.created_at, s.seq";
inline constexpr char kFindServiceAccount[] =
    TFZO_SERVICE_ACCOUNT_SELECT "WHERE s.id = $1 AND s.deleted_at IS NULL";
inline constexpr char kLockLiveServiceAccount[] =
    "SELECT org_id AS org_id FROM service_accounts WHERE id = $1 AND deleted_at IS NULL "
    "FOR UPDATE";
// Whether the account is a deleted service account (a row with deleted_at), held until commit
// against a concurrent deletion: a key is never added to one.
inline constexpr char kLockServiceAccountShared[] =
    "SELECT deleted_at AS deleted_at FROM service_accounts WHERE id = $1 FOR SHARE";
inline constexpr char kSetServiceAccountDeleted[] =
    "UPDATE service_accounts SET deleted_at = $2 WHERE id = $1";
inline constexpr char kOrgServiceAccountIds[] =
    "SELECT id AS account_id FROM service_accounts WHERE org_id = $1 AND deleted_at IS NULL "
    "ORDER BY id";
inline constexpr char kDeleteOrgServiceAccounts[] =
    "UPDATE service_accounts SET deleted_at = $2 WHERE org_id = $1 AND deleted_at IS NULL";
// A live service account's one membership, as ReadMembership reads it: its org, role member,
// never lacking two-factor (it has no second factor to turn on, and signs in with none).
inline constexpr char kServiceAccountMembership[] =
    "SELECT s.org_id AS org_id, o.name AS org_name, o.handle AS org_handle, "
    "s.id AS account_id, a.email AS email, 'member' AS role, "
    "o.require_two_factor AS org_requires_two_factor, 1 AS two_factor "
    "FROM service_accounts s JOIN orgs o ON o.id = s.org_id AND o.deleted_at IS NULL "
    "JOIN accounts a ON a.id = s.id WHERE s.id = $1 AND s.deleted_at IS NULL";
#undef TFZO_SERVICE_ACCOUNT_SELECT

#undef TFZO_KEY_SELECT
#undef TFZO_MEMBERSHIP_SELECT
#undef TFZO_EVENT_SELECT
#undef TFZO_AGENT_SELECT
#undef TFZO_HOST_SELECT
#undef TFZO_ACCOUNT_SELECT
#undef TFZO_INVITATION_SELECT
#undef TFZO_INVITATION_PENDING

// Device authorization (0015_device_codes.sql).
inline constexpr char kDeleteExpiredDeviceCodes[] =
    "DELETE FROM device_codes WHERE expires_at < $1";
inline constexpr char kInsertDeviceCode[] =
    "INSERT INTO device_codes (device_digest, user_digest, client_name, hostname, ip, created_at, "
    "expires_at, interval_seconds, public_key, sealed_private_key, status) "
    "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'pending')";
#define TFZO_DEVICE_CODE_COLUMNS                                                           \
  "client_name AS client_name, hostname AS hostname, ip AS ip, created_at AS created_at, " \
  "expires_at AS expires_at, "                                                             \
  "interval_seconds AS interval_seconds, last_poll_at AS last_poll_at, status AS status, " \
  "account_id AS account_id, key_id AS key_id, sealed_secret AS sealed_secret, "           \
  "public_key AS public_key, sealed_private_key AS sealed_private_key, "                   \
  "decided_at AS decided_at "
inline constexpr char kFindDeviceCode[] =
    "SELECT " TFZO_DEVICE_CODE_COLUMNS "FROM device_codes WHERE user_digest = $1";
inline constexpr char kLockDeviceCode[] =
    "SELECT " TFZO_DEVICE_CODE_COLUMNS "FROM device_codes WHERE device_digest = $1 FOR UPDATE";
#undef TFZO_DEVICE_CODE_COLUMNS
// Decides request $1 at $3 while it is pending and unexpired: a second decision changes no row.
inline constexpr char kDecideDeviceCode[] =
    "UPDATE device_codes SET status = $2, decided_at = $3, account_id = $4, key_id = $5, "
    "sealed_secret = $6 WHERE user_digest = $1 AND status = 'pending' AND expires_at > $3";
inline constexpr char kRecordDevicePoll[] =
    "UPDATE device_codes SET last_poll_at = $2, interval_seconds = $3 WHERE device_digest = $1";
inline constexpr char kUseDeviceCode[] =
    "UPDATE device_codes SET last_poll_at = $2, status = 'used', sealed_secret = NULL "
    "WHERE device_digest = $1 AND status = 'approved'";

}  // namespace tfzo::sql

#endif  // TFZO_STORE_STATEMENTS_H_
