#include "service/org_service.h"

#include <fmt/format.h>

#include <array>
#include <map>

#include "service/key_list.h"
#include "service/key_notices.h"
#include "service/org_handle.h"
#include "service/validation.h"

namespace tfzo {
namespace {

// Derived handles that are taken get a suffix of this many characters, tried this many times.
constexpr size_t kSuffixLength = 4;
constexpr int kSuffixAttempts = 5;

Status HandleTaken(std::string_view handle) {
  return Status(
      StatusCode::kHandleTaken,
      fmt::format("handle: \"{}\" is taken by another organization; choose another", handle));
}

MembershipRecord OwnerView(const Caller& caller, const OrgRecord& org) {
  return MembershipRecord{.org_id = org.id,
                          .org_name = org.name,
                          .account_id = caller.account_id,
                          .email = "",
                          .role = Role::kOwner,
                          .org_handle = org.handle,
                          .org_requires_two_factor = org.require_two_factor};
}

}  // namespace

OrgService::OrgService(ServiceDeps deps) : deps_(deps) {}

Status OrgService::NotMember() {
  // The same answer whether the organization exists or not, so that ids cannot be probed.
  return Forbidden("You are not a member of this organization.");
}

Result<Role> OrgService::RoleIn(const Caller& caller, std::string_view org_id,
                                bool without_two_factor) {
  ASSIGN_OR_RETURN(auto member, deps_.store.FindMembership(org_id, caller.account_id));
  if (!member) return NotMember();
  // An org that requires two-factor sign-in is closed to a member who has it off, but for
  // leaving it.
  if (member->LacksTwoFactor() && !without_two_factor) return TwoFactorRequired(member->org_name);
  return member->role;
}

Status OrgService::RequireOwner(const Caller& caller, std::string_view org_id) {
  ASSIGN_OR_RETURN(Role role, RoleIn(caller, org_id));
  if (role != Role::kOwner) return Forbidden("Only an owner of this organization can do that.");
  return Status::Ok();
}

Result<std::vector<MembershipRecord>> OrgService::ListOrgs(const Caller& caller) {
  return deps_.store.ListMemberships(caller.account_id);
}

Result<MembershipRecord> OrgService::CreateOrg(const Caller& caller, std::string_view name,
                                               std::optional<std::string_view> handle) {
  ASSIGN_OR_RETURN(std::string checked_name, CheckText("name", name, 1, 100));
  std::optional<std::string> wanted;
  if (handle) {
    ASSIGN_OR_RETURN(wanted, CheckHandle("handle", *handle));
  }
  std::string base = wanted ? *wanted : HandleFromName(checked_name);
  if (base.empty()) base = "org";
  OrgRecord org{.id = NewId("org", deps_.random),
                .name = std::move(checked_name),
                .created_at = deps_.clock.Now(),
                .handle = base};
  const EventRecord event = deps_.Event("org.created", caller, org.id, org.id);
  for (int attempt = 0;; ++attempt) {
    const Status created = deps_.store.CreateOrg(org, caller.account_id, event);
    if (created.code() == StatusCode::kQuotaExceeded) {
      return OrgsQuotaExceeded(deps_.store.quotas().max_orgs.value_or(0));
    }
    if (created.code() != StatusCode::kConflict) {
      RETURN_IF_ERROR(created);
      return OwnerView(caller, org);
    }
    if (wanted || attempt == kSuffixAttempts) return HandleTaken(org.handle);
    std::array<char, kSuffixLength> suffix;
    FillFromAlphabet(deps_.random, "abcdefghijklmnopqrstuvwxyz0123456789", suffix);
    org.handle = HandleWithSuffix(base, "-" + std::string(suffix.data(), suffix.size()));
  }
}

Result<MembershipRecord> OrgService::UpdateOrg(const Caller& caller, std::string_view org_id,
                                               std::optional<std::string_view> name,
                                               std::optional<std::string_view> handle,
                                               std::optional<bool> require_two_factor) {
  std::optional<std::string> new_name, new_handle;
  if (name) {
    ASSIGN_OR_RETURN(new_name, CheckText("name", *name, 1, 100));
  }
  if (handle) {
    ASSIGN_OR_RETURN(new_handle, CheckHandle("handle", *handle));
  }
  RETURN_IF_ERROR(RequireOwner(caller, org_id));
  auto found = deps_.store.FindOrg(org_id);
  if (found.status().code() == StatusCode::kNotFound) return NotMember();  // deleted meanwhile
  ASSIGN_OR_RETURN(const OrgRecord org, std::move(found));
  OrgRecord renamed = org;
  renamed.name = new_name.value_or(org.name);
  renamed.handle = new_handle.value_or(org.handle);
  renamed.require_two_factor = require_two_factor.value_or(org.require_two_factor);
  const bool rule_changed = renamed.require_two_factor != org.require_two_factor;
  if (renamed.name == org.name && renamed.handle == org.handle && !rule_changed) {
    return OwnerView(caller, org);
  }
  if (rule_changed && renamed.require_two_factor) {
    ASSIGN_OR_RETURN(AccountRecord owner, deps_.store.FindAccount(caller.account_id));
    if (!owner.two_factor) {
      return Conflict(
          "require_two_factor: turn on two-factor sign-in for your own account first (Two-factor "
          "page): an organization that requires it would be closed to you.");
    }
  }
  // The event names the rule's change when there is one (a rename with it is rare), else the
  // rename.
  const char* action = !rule_changed                ? "org.renamed"
                       : renamed.require_two_factor ? "org.two_factor_required"
                                                    : "org.two_factor_not_required";
  const Status updated =
      deps_.store.UpdateOrg(renamed, deps_.Event(action, caller, org.id, org.id));
  if (updated.code() == StatusCode::kConflict) return HandleTaken(renamed.handle);
  if (updated.code() == StatusCode::kNotFound) return NotMember();
  RETURN_IF_ERROR(updated);
  return OwnerView(caller, renamed);
}

Result<OrgPolicy> OrgService::GetPolicy(const Caller& caller, std::string_view org_id) {
  RETURN_IF_ERROR(RequireOwner(caller, org_id));
  auto policy = deps_.store.FindOrgPolicy(org_id);
  if (policy.status().code() == StatusCode::kNotFound) return NotMember();  // deleted meanwhile
  return policy;
}

Result<OrgPolicy> OrgService::SetPolicy(const Caller& caller, std::string_view org_id,
                                        OrgPolicy policy) {
  RETURN_IF_ERROR(RequireOwner(caller, org_id));
  const EventRecord event =
      deps_.Event("org.policy_updated", caller, std::string(org_id), std::string(org_id));
  policy.updated_at = event.at;
  policy.updated_by = caller.account_id;
  const Status set = deps_.store.SetOrgPolicy(org_id, policy, event);
  if (set.code() == StatusCode::kNotFound) return NotMember();
  RETURN_IF_ERROR(set);
  return policy;
}

Status OrgService::DeleteOrg(const Caller& caller, std::string_view org_id,
                             std::string_view confirm) {
  RETURN_IF_ERROR(RequireOwner(caller, org_id));
  auto org = deps_.store.FindOrg(org_id);
  if (org.status().code() == StatusCode::kNotFound) return NotMember();
  RETURN_IF_ERROR(org.status());
  if (confirm != org->handle) {
    return InvalidRequest(
        fmt::format("confirm: type the organization's handle, {}, to delete it and revoke its keys",
                    org->handle));
  }
  EventRecord event = deps_.Event("org.deleted", caller, org->id, org->id);
  // The keys it revokes, by owner, for their notices: read before the deletion, so a key
  // created in between is revoked without one.
  ASSIGN_OR_RETURN(const std::vector<KeyRecord> keys, deps_.store.ListOrgKeys(org_id));
  std::map<std::string, std::vector<KeyRecord>> others;
  for (const KeyRecord& key : keys) {
    const bool live = !key.revoked_at && !(key.expires_at && *key.expires_at <= event.at);
    // A service account's keys go with the org, and it has no mailbox to tell.
    if (key.account_id != caller.account_id && live && !key.service_account_name) {
      others[key.account_id].push_back(key);
    }
  }
  if (!others.empty()) {
    ASSIGN_OR_RETURN(AccountRecord owner, deps_.store.FindAccount(caller.account_id));
    for (const auto& [account_id, theirs] : others) {
      event.mails.push_back(
          OrgDeletedMail(deps_, theirs, org->name, owner.email, event.at, caller));
    }
  }
  const Status deleted = deps_.store.DeleteOrg(org_id, event.at, event);
  if (deleted.code() == StatusCode::kNotFound) return NotMember();
  return deleted;
}

Result<std::vector<MembershipRecord>> OrgService::ListMembers(const Caller& caller,
                                                              std::string_view org_id) {
  RETURN_IF_ERROR(RoleIn(caller, org_id).status());
  return deps_.store.ListMembers(org_id);
}

Status OrgService::RemoveMember(const Caller& caller, std::string_view org_id,
                                std::string_view account_id) {
  if (account_id == caller.account_id) {
    // Leaving needs only membership.
    RETURN_IF_ERROR(RoleIn(caller, org_id, /*without_two_factor=*/true).status());
  } else {
    RETURN_IF_ERROR(RequireOwner(caller, org_id));
  }
  Status removed = deps_.store.RemoveMember(
      org_id, account_id,
      deps_.Event("org.member_removed", caller, std::string(account_id), std::string(org_id)));
  if (removed.code() == StatusCode::kConflict) {
    return Conflict(
        "The last owner cannot leave: make another member an owner first (change their role "
        "in the members list), or delete the organization.");
  }
  if (removed.code() == StatusCode::kNotFound) {
    return NotFound("This account is not a member of the organization.");
  }
  return removed;
}

Result<MembershipRecord> OrgService::SetMemberRole(const Caller& caller, std::string_view org_id,
                                                   std::string_view account_id, Role role) {
  RETURN_IF_ERROR(RequireOwner(caller, org_id));
  ASSIGN_OR_RETURN(std::optional<Role> current, deps_.store.FindRole(org_id, account_id));
  if (!current) return NotFound("This account is not a member of the organization.");
  if (*current != role) {
    const Status changed =
        deps_.store.SetMemberRole(org_id, account_id, role,
                                  deps_.Event("org.member_role_changed", caller,
                                              std::string(account_id), std::string(org_id)));
    if (changed.code() == StatusCode::kConflict) {
      return Conflict(
          "The last owner cannot be demoted: make another member an owner first, or delete the "
          "organization.");
    }
    if (changed.code() == StatusCode::kNotFound) {
      return NotFound("This account is not a member of the organization.");
    }
    RETURN_IF_ERROR(changed);
  }
  ASSIGN_OR_RETURN(auto members, deps_.store.ListMembers(org_id));
  for (MembershipRecord& m : members) {
    if (m.account_id == account_id) return std::move(m);
  }
  return NotFound("This account is not a member of the organization.");
}

Result<KeyPage> OrgService::ListOrgKeys(const Caller& caller, std::string_view org_id,
                                        KeyQuery query) {
  RETURN_IF_ERROR(RequireOwner(caller, org_id));
  query.account_id.clear();
  query.org_id = std::string(org_id);
  query.now = deps_.clock.Now();
  return deps_.store.QueryKeys(query);
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
  // Someone else's: tell them (a service account has no mailbox).
  if (key->account_id != caller.account_id && !key->revoked_at && !key->service_account_name) {
    ASSIGN_OR_RETURN(AccountRecord owner, deps_.store.FindAccount(caller.account_id));
    event.mails.push_back(KeyRevokedMail(deps_, *key, owner.email, event.at, caller));
  }
  RETURN_IF_ERROR(deps_.store.RevokeKey(key_id, event.at, event).status());
  return deps_.store.FindKey(key_id);
}

}  // namespace tfzo
