#ifndef TFZO_SERVICE_ORG_SERVICE_H_
#define TFZO_SERVICE_ORG_SERVICE_H_

#include <optional>
#include <string_view>
#include <vector>

#include "service/context.h"

namespace tfzo {

// Organizations, their members, and owners' oversight of the keys scoped to them. Only
// owners rename or delete an organization or make it require two-factor sign-in (then members
// without it cannot use it, but for leaving: kTwoFactorRequired), remove members (a member may
// remove themself: leave) and change their roles; the last owner can neither leave nor be demoted.
// People join by invitation (InvitationService). Holds references only; thread-safe.
class OrgService {
 public:
  explicit OrgService(ServiceDeps deps);

  Result<std::vector<MembershipRecord>> ListOrgs(const Caller& caller);
  // With no `handle`, one is derived from the name (HandleFromName; "org" when nothing is
  // left), with a short random suffix when that one is taken. A `handle` given and taken:
  // kHandleTaken.
  Result<MembershipRecord> CreateOrg(const Caller& caller, std::string_view name,
                                     std::optional<std::string_view> handle = std::nullopt);
  // Owners: a new name and/or handle (kHandleTaken when another organization has it), and
  // whether members must have two-factor sign-in on (an owner turning it on must have it on:
  // else kConflict). The caller's membership, updated.
  Result<MembershipRecord> UpdateOrg(const Caller& caller, std::string_view org_id,
                                     std::optional<std::string_view> name,
                                     std::optional<std::string_view> handle,
                                     std::optional<bool> require_two_factor = std::nullopt);
  // Owners, with `confirm` the organization's handle (else kInvalidRequest): deletes it and
  // revokes every key scoped to it (Store::DeleteOrg).
  Status DeleteOrg(const Caller& caller, std::string_view org_id, std::string_view confirm);
  Result<std::vector<MembershipRecord>> ListMembers(const Caller& caller, std::string_view org_id);
  Status RemoveMember(const Caller& caller, std::string_view org_id, std::string_view account_id);
  // Owners; the member with its new role. kConflict when it would demote the last owner.
  Result<MembershipRecord> SetMemberRole(const Caller& caller, std::string_view org_id,
                                         std::string_view account_id, Role role);
  // Owners: the organization's key policy (docs/spec/API.md "Organization key policy").
  Result<OrgPolicy> GetPolicy(const Caller& caller, std::string_view org_id);
  // Owners: replaces it (the caller becomes updated_by); every node applies it to the
  // organization's keys from their next check. The policy as stored.
  Result<OrgPolicy> SetPolicy(const Caller& caller, std::string_view org_id, OrgPolicy policy);
  // Owners: a page of the keys scoped to the org (query.org_id and query.now are set here).
  Result<KeyPage> ListOrgKeys(const Caller& caller, std::string_view org_id, KeyQuery query = {});
  Result<KeyRecord> RevokeOrgKey(const Caller& caller, std::string_view org_id,
                                 std::string_view key_id);

 private:
  // kForbidden, worded the same whether or not the org exists.
  static Status NotMember();
  // The caller's role, or kForbidden when not a member, whether or not the org exists;
  // kTwoFactorRequired when the org requires two-factor sign-in and the caller has it off
  // (unless `without_two_factor`: leaving).
  Result<Role> RoleIn(const Caller& caller, std::string_view org_id,
                      bool without_two_factor = false);
  Status RequireOwner(const Caller& caller, std::string_view org_id);

  ServiceDeps deps_;
};

}  // namespace tfzo

#endif  // TFZO_SERVICE_ORG_SERVICE_H_
