#include "service/org_service.h"

#include "service/key_notices.h"
#include "service/validation.h"

namespace tfzo {

OrgService::OrgService(ServiceDeps deps) : deps_(deps) {}

Result<Role> OrgService::RoleIn(const Caller& caller, std::string_view org_id) {
  ASSIGN_OR_RETURN(auto role, deps_.store.FindRole(org_id, caller.account_id));
  if (role) return *role;
  // The same answer whether the organization exists or not, so that ids cannot be probed.
  return Forbidden("You are not a member of this organization.");
}

Status OrgService::RequireOwner(const Caller& caller, std::string_view org_id) {
  ASSIGN_OR_RETURN(Role role, RoleIn(caller, org_id));
  if (role != Role::kOwner) return Forbidden("Only an owner of this organization can do that.");
  return Status::Ok();
}

Result<std::vector<MembershipRecord>> OrgService::ListOrgs(const Caller& caller) {
  return deps_.store.ListMemberships(caller.account_id);
}

Result<MembershipRecord> OrgService::CreateOrg(const Caller& caller, std::string_view name) {
  ASSIGN_OR_RETURN(std::string checked_name, CheckText("name", name, 1, 100));
  OrgRecord org{.id = NewId("org", deps_.random),
                .name = std::move(checked_name),
                .created_at = deps_.clock.Now()};
  RETURN_IF_ERROR(deps_.store.CreateOrg(org, caller.account_id,
                                        deps_.Event("org.created", caller, org.id, org.id)));
  return MembershipRecord{.org_id = org.id,
                          .org_name = org.name,
                          .account_id = caller.account_id,
                          .email = "",
                          .role = Role::kOwner};
}

Result<std::vector<MembershipRecord>> OrgService::ListMembers(const Caller& caller,
                                                              std::string_view org_id) {
  RETURN_IF_ERROR(RoleIn(caller, org_id).status());
  return deps_.store.ListMembers(org_id);
}

Status OrgService::RemoveMember(const Caller& caller, std::string_view org_id,
                                std::string_view account_id) {
  if (account_id == caller.account_id) {
    RETURN_IF_ERROR(RoleIn(caller, org_id).status());  // leaving needs only membership
  } else {
    RETURN_IF_ERROR(RequireOwner(caller, org_id));
  }
  Status removed = deps_.store.RemoveMember(
      org_id, account_id,
      deps_.Event("org.member_removed", caller, std::string(account_id), std::string(org_id)));
  if (removed.code() == StatusCode::kConflict) {
    return Conflict("The last owner cannot leave: make another member an owner first.");
  }
  if (removed.code() == StatusCode::kNotFound) {
    return NotFound("This account is not a member of the organization.");
  }
  return removed;
}

Result<std::vector<KeyRecord>> OrgService::ListOrgKeys(const Caller& caller,
                                                       std::string_view org_id) {
  RETURN_IF_ERROR(RequireOwner(caller, org_id));
  return deps_.store.ListOrgKeys(org_id);
}

Result<KeyRecord> OrgService::RevokeOrgKey(const Caller& caller, std::string_view org_id,
                                           std::string_view key_id) {
  RETURN_IF_ERROR(RequireOwner(caller, org_id));
  auto key = deps_.store.FindKey(key_id);
  if (!key.ok() || key->org_id != std::optional<std::string>(org_id)) {
    return key.ok() || key.status().code() == StatusCode::kNotFound
               ? NotFound("No key with this id is scoped to this organization.")
               : key.status();
  }
  EventRecord event = deps_.Event("key.revoked", caller, std::string(key_id), std::string(org_id));
  if (key->account_id != caller.account_id && !key->revoked_at) {  // someone else's: tell them
    ASSIGN_OR_RETURN(AccountRecord owner, deps_.store.FindAccount(caller.account_id));
    event.mails.push_back(KeyRevokedMail(deps_, *key, owner.email, event.at, caller));
  }
  RETURN_IF_ERROR(deps_.store.RevokeKey(key_id, event.at, event).status());
  return deps_.store.FindKey(key_id);
}

}  // namespace tfzo
