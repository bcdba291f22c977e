#ifndef TFZO_SERVICE_ORG_SERVICE_H_
#define TFZO_SERVICE_ORG_SERVICE_H_

#include <string_view>
#include <vector>

#include "service/context.h"

namespace tfzo {

// Organizations, their members, and owners' oversight of the keys scoped to them. Only
// owners remove members (a member may remove themself: leave); the last owner cannot leave.
// People join by invitation (InvitationService). Holds references only; thread-safe.
class OrgService {
 public:
  explicit OrgService(ServiceDeps deps);

  Result<std::vector<MembershipRecord>> ListOrgs(const Caller& caller);
  Result<MembershipRecord> CreateOrg(const Caller& caller, std::string_view name);
  Result<std::vector<MembershipRecord>> ListMembers(const Caller& caller, std::string_view org_id);
  Status RemoveMember(const Caller& caller, std::string_view org_id, std::string_view account_id);
  Result<std::vector<KeyRecord>> ListOrgKeys(const Caller& caller, std::string_view org_id);
  Result<KeyRecord> RevokeOrgKey(const Caller& caller, std::string_view org_id,
                                 std::string_view key_id);

 private:
  // The caller's role, or kForbidden when not a member, whether or not the org exists.
  Result<Role> RoleIn(const Caller& caller, std::string_view org_id);
  Status RequireOwner(const Caller& caller, std::string_view org_id);

  ServiceDeps deps_;
};

}  // namespace tfzo

#endif  // TFZO_SERVICE_ORG_SERVICE_H_
