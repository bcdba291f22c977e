#ifndef TFZO_STORE_SQL_RECORDS_H_
#define TFZO_STORE_SQL_RECORDS_H_

// SqlStore's readers of one row into a record, by the column names statements.h gives its
// SELECTs. A name the statement lacks is caught by SqlRows::CheckColumns.

#include <optional>

#include "model/records.h"
#include "store/sql_rows.h"

namespace tfzo {

AccountRecord ReadAccount(const SqlRow& row);
SessionRecord ReadSession(const SqlRow& row);        // all but the token's digest
SignedIn ReadSignedIn(const SqlRow& row);            // of sql::kFindSignedIn; no digest
TokenRecord ReadToken(const SqlRow& row);            // all but the digest, which the caller has
DeviceCodeRecord ReadDeviceCode(const SqlRow& row);  // all but the digests, which the caller has
InvitationRecord ReadInvitation(const SqlRow& row);
OrgRecord ReadOrg(const SqlRow& row);
MembershipRecord ReadMembership(const SqlRow& row);
std::optional<Role> ReadRole(const SqlRow& row);  // nullopt: not a role name
KeyRecord ReadKey(const SqlRow& row);
ServiceAccountRecord ReadServiceAccount(const SqlRow& row);
// A list column's words (allowed_ips), and the column for a list: space-separated.
std::vector<std::string> SplitWords(std::string_view text);
std::string JoinWords(const std::vector<std::string>& words);
std::optional<Time> ReadRevokedAt(const SqlRow& row);  // of the key (kLockKey)
// An org_policies row (TFZO_POLICY_COLUMNS); no rule where its columns are NULL.
OrgPolicy ReadOrgPolicy(const SqlRow& row);
// With the organization's policy applied (model/org_policy.h).
KeyState ReadKeyState(const SqlRow& row);
AgentRecord ReadAgent(const SqlRow& row);
HostRecord ReadHost(const SqlRow& row);
EventRecord ReadEvent(const SqlRow& row);

}  // namespace tfzo

#endif  // TFZO_STORE_SQL_RECORDS_H_
