#ifndef TFZO_STORE_STATEMENTS_H_
#define TFZO_STORE_STATEMENTS_H_

// The SQL both stores run, in PostgreSQL's $n parameter syntax; SqliteStore turns $n into
// SQLite's ?n when it prepares a statement. Statements that differ between the two (locks,
// batch updates, notifications, transactions) stay in their store. The schema is in
// migrations/.

namespace tfzo::sql {

#define TFZO_KEY_SELECT                                                                      \
  "SELECT k.id, k.account_id, k.name, k.description, k.hint, k.org_id, k.created_at, "       \
  "k.expires_at, k.last_used_at, k.rotated_at, k.revoked_at, COALESCE(o.name, ''), a.email " \
  "FROM api_keys k JOIN accounts a ON a.id = k.account_id LEFT JOIN orgs o ON o.id = k.org_id "
#define TFZO_MEMBERSHIP_SELECT                                                 \
  "SELECT m.org_id, o.name, m.account_id, a.email, m.role FROM memberships m " \
  "JOIN orgs o ON o.id = m.org_id JOIN accounts a ON a.id = m.account_id "
#define TFZO_EVENT_SELECT                                                                     \
  "SELECT e.id, e.at, e.action, e.actor_id, e.org_id, e.target_id, e.ip FROM audit_events e " \
  "WHERE (e.actor_id = $1 OR e.org_id IN (SELECT m.org_id FROM memberships m "                \
  "WHERE m.account_id = $1 AND m.role = 'owner')) "

inline constexpr char kInsertEvent[] =
    "INSERT INTO audit_events (id, at, action, actor_id, org_id, target_id, ip) "
    "VALUES ($1, $2, $3, $4, $5, $6, $7)";

inline constexpr char kEmailExists[] = "SELECT 1 FROM accounts WHERE email = $1";

inline constexpr char kInsertAccount[] =
    "INSERT INTO accounts (id, email, name, password_hash, created_at) "
    "VALUES ($1, $2, $3, $4, $5)";

inline constexpr char kFindAccount[] =
    "SELECT id, email, name, password_hash, created_at FROM accounts WHERE id = $1";

inline constexpr char kFindAccountByEmail[] =
    "SELECT id, email, name, password_hash, created_at FROM accounts WHERE email = $1";

inline constexpr char kInsertSession[] =
    "INSERT INTO sessions (token_digest, account_id, csrf_token, created_at, last_seen_at) "
    "VALUES ($1, $2, $3, $4, $5)";

inline constexpr char kFindSession[] =
    "SELECT account_id, csrf_token, created_at, last_seen_at FROM sessions "
    "WHERE token_digest = $1";

inline constexpr char kDeleteSession[] = "DELETE FROM sessions WHERE token_digest = $1";

inline constexpr char kDeleteIdleSessions[] = "DELETE FROM sessions WHERE last_seen_at < $1";

inline constexpr char kInsertOrg[] = "INSERT INTO orgs (id, name, created_at) VALUES ($1, $2, $3)";

inline constexpr char kFindOrg[] = "SELECT id, name, created_at FROM orgs WHERE id = $1";

inline constexpr char kInsertMembership[] =
    "INSERT INTO memberships (org_id, account_id, role, joined_at, seq) VALUES ($1, $2, $3, $4, "
    "(SELECT COALESCE(MAX(seq), 0) + 1 FROM memberships WHERE org_id = $1))";

inline constexpr char kListMemberships[] =
    TFZO_MEMBERSHIP_SELECT "WHERE m.account_id = $1 ORDER BY o.created_at, o.seq";

inline constexpr char kListMembers[] =
    TFZO_MEMBERSHIP_SELECT "WHERE m.org_id = $1 ORDER BY m.seq, m.account_id";

inline constexpr char kFindRole[] =
    "SELECT role FROM memberships WHERE org_id = $1 AND account_id = $2";

inline constexpr char kDeleteMembership[] =
    "DELETE FROM memberships WHERE org_id = $1 AND account_id = $2";

inline constexpr char kInsertKey[] =
    "INSERT INTO api_keys (id, account_id, name, description, hint, org_id, created_at, "
    "expires_at, last_used_at, rotated_at, revoked_at) "
    "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)";

inline constexpr char kInsertSecret[] =
    "INSERT INTO key_secrets (digest, key_id, hint, created_at, revoked_at) "
    "VALUES ($1, $2, $3, $4, $5)";

inline constexpr char kFindKey[] = TFZO_KEY_SELECT "WHERE k.id = $1";

inline constexpr char kListKeys[] =
    TFZO_KEY_SELECT "WHERE k.account_id = $1 ORDER BY k.created_at DESC, k.seq DESC";

inline constexpr char kListOrgKeys[] =
    TFZO_KEY_SELECT "WHERE k.org_id = $1 ORDER BY k.created_at DESC, k.seq DESC";

inline constexpr char kUpdateKey[] =
    "UPDATE api_keys SET name = $2, description = $3 WHERE id = $1";

inline constexpr char kRevokeSecrets[] =
    "UPDATE key_secrets SET revoked_at = $2 WHERE key_id = $1 AND revoked_at IS NULL";

inline constexpr char kSetRotated[] =
    "UPDATE api_keys SET hint = $2, rotated_at = $3 WHERE id = $1";

inline constexpr char kSetExpires[] = "UPDATE api_keys SET expires_at = $2 WHERE id = $1";

inline constexpr char kSetRevoked[] = "UPDATE api_keys SET revoked_at = $2 WHERE id = $1";

inline constexpr char kFindKeyBySecret[] =
    "SELECT k.id, k.account_id, k.org_id, k.expires_at, k.revoked_at, s.revoked_at "
    "FROM key_secrets s JOIN api_keys k ON k.id = s.key_id WHERE s.digest = $1";

inline constexpr char kHostInOrg[] = "SELECT 1 FROM hosts WHERE id = $1 AND org_id = $2";

inline constexpr char kInsertAgent[] =
    "INSERT INTO agents (id, org_id, name, host_id, created_at) VALUES ($1, $2, $3, $4, $5)";

inline constexpr char kListAgents[] =
    "SELECT id, org_id, name, host_id, created_at FROM agents WHERE org_id = $1 ORDER BY seq";

inline constexpr char kFindAgent[] =
    "SELECT id, org_id, name, host_id, created_at FROM agents WHERE org_id = $1 AND id = $2";

inline constexpr char kDeleteAgent[] = "DELETE FROM agents WHERE org_id = $1 AND id = $2";

inline constexpr char kInsertHost[] =
    "INSERT INTO hosts (id, org_id, name, address, created_at) VALUES ($1, $2, $3, $4, $5)";

inline constexpr char kListHosts[] =
    "SELECT id, org_id, name, address, created_at FROM hosts WHERE org_id = $1 ORDER BY seq";

inline constexpr char kFindHost[] =
    "SELECT id, org_id, name, address, created_at FROM hosts WHERE org_id = $1 AND id = $2";

inline constexpr char kDeleteHost[] = "DELETE FROM hosts WHERE org_id = $1 AND id = $2";

inline constexpr char kListEvents[] = TFZO_EVENT_SELECT "ORDER BY e.seq DESC LIMIT $2";

inline constexpr char kListEventsBefore[] = TFZO_EVENT_SELECT
    "AND e.seq < (SELECT b.seq FROM audit_events b WHERE b.id = $3) "
    "ORDER BY e.seq DESC LIMIT $2";

#undef TFZO_KEY_SELECT
#undef TFZO_MEMBERSHIP_SELECT
#undef TFZO_EVENT_SELECT

}  // namespace tfzo::sql

#endif  // TFZO_STORE_STATEMENTS_H_
