#include "service/service_account_service.h"

#include "service/validation.h"

namespace tfzo {
namespace {

Status NoSuchServiceAccount() {
  return NotFound("No service account with this id in this organization.");
}

}  // namespace

ServiceAccountService::ServiceAccountService(ServiceDeps deps, KeyService& keys)
    : deps_(deps), keys_(keys) {}

Result<MembershipRecord> ServiceAccountService::RequireOwner(const Caller& caller,
                                                             std::string_view org_id) {
  ASSIGN_OR_RETURN(auto member, deps_.store.FindMembership(org_id, caller.account_id));
  // The same answer whether the organization exists or not, so that ids cannot be probed.
  if (!member) return Forbidden("You are not a member of this organization.");
  if (member->LacksTwoFactor()) return TwoFactorRequired(member->org_name);
  if (member->role != Role::kOwner) {
    return Forbidden("Only an owner of this organization can do that.");
  }
  return *std::move(member);
}

Result<ServiceAccountRecord> ServiceAccountService::Owned(const Caller& caller,
                                                          std::string_view org_id,
                                                          std::string_view account_id) {
  RETURN_IF_ERROR(RequireOwner(caller, org_id).status());
  auto found = deps_.store.FindServiceAccount(account_id);
  if (found.status().code() == StatusCode::kNotFound) return NoSuchServiceAccount();
  RETURN_IF_ERROR(found.status());
  if (found->org_id != org_id) return NoSuchServiceAccount();
  return found;
}

Result<KeyRecord> ServiceAccountService::OwnedKey(const Caller& caller, std::string_view org_id,
                                                  std::string_view account_id,
                                                  std::string_view key_id) {
  ASSIGN_OR_RETURN(ServiceAccountRecord account, Owned(caller, org_id, account_id));
  auto key = deps_.store.FindKey(key_id);
  if (!key.ok() && key.status().code() != StatusCode::kNotFound) return key.status();
  if (!key.ok() || key->account_id != account.id) {
    return NotFound("No API key with this id belongs to this service account.");
  }
  return key;
}

Result<ServiceAccountRecord> ServiceAccountService::Create(const Caller& caller,
                                                           std::string_view org_id,
                                                           std::string_view name,
                                                           std::string_view description) {
  ASSIGN_OR_RETURN(std::string checked_name, CheckText("name", name, 1, 100));
  ASSIGN_OR_RETURN(std::string checked_description,
                   CheckText("description", description, 0, 500, /*multiline=*/true));
  RETURN_IF_ERROR(RequireOwner(caller, org_id).status());
  ServiceAccountRecord account{.id = NewId("sa", deps_.random),
                               .org_id = std::string(org_id),
                               .name = std::move(checked_name),
                               .description = std::move(checked_description),
                               .created_by = caller.account_id,
                               .created_at = deps_.clock.Now()};
  const Status created = deps_.store.CreateServiceAccount(
      account, deps_.Event("service_account.created", caller, account.id, account.org_id));
  // Deleted since the owner check: as for any organization the caller is not in.
  if (created.code() == StatusCode::kNotFound) {
    return Forbidden("You are not a member of this organization.");
  }
  RETURN_IF_ERROR(created);
  return deps_.store.FindServiceAccount(account.id);
}

Result<std::vector<ServiceAccountRecord>> ServiceAccountService::List(const Caller& caller,
                                                                      std::string_view org_id) {
  RETURN_IF_ERROR(RequireOwner(caller, org_id).status());
  return deps_.store.ListServiceAccounts(org_id);
}

Status ServiceAccountService::Delete(const Caller& caller, std::string_view org_id,
                                     std::string_view account_id) {
  ASSIGN_OR_RETURN(ServiceAccountRecord account, Owned(caller, org_id, account_id));
  const EventRecord event =
      deps_.Event("service_account.deleted", caller, account.id, account.org_id);
  const Status deleted = deps_.store.DeleteServiceAccount(account.id, event.at, event);
  if (deleted.code() == StatusCode::kNotFound) return NoSuchServiceAccount();  // meanwhile
  return deleted;
}

Result<std::vector<KeyRecord>> ServiceAccountService::ListKeys(const Caller& caller,
                                                               std::string_view org_id,
                                                               std::string_view account_id) {
  ASSIGN_OR_RETURN(ServiceAccountRecord account, Owned(caller, org_id, account_id));
  return deps_.store.ListKeys(account.id);
}

Result<KeyService::Issued> ServiceAccountService::CreateKey(const Caller& caller,
                                                            std::string_view org_id,
                                                            std::string_view account_id,
                                                            KeyService::CreateRequest request) {
  ASSIGN_OR_RETURN(ServiceAccountRecord account, Owned(caller, org_id, account_id));
  ASSIGN_OR_RETURN(OrgRecord org, deps_.store.FindOrg(account.org_id));
  request.org_id = account.org_id;
  // No notice: a service account has no mailbox, and the owner is the one creating it.
  auto issued =
      keys_.CreateAuthorized(caller, account.id, std::move(request), org.name, std::nullopt);
  // Deleted meanwhile: the service account (not found), or its organization (as for any
  // organization the caller is not in).
  if (issued.status().code() == StatusCode::kNotFound) {
    auto live = deps_.store.FindServiceAccount(account.id);
    if (live.status().code() == StatusCode::kNotFound) return NoSuchServiceAccount();
    return Forbidden("You are not a member of this organization.");
  }
  return issued;
}

Result<KeyService::Issued> ServiceAccountService::RotateKey(
    const Caller& caller, std::string_view org_id, std::string_view account_id,
    std::string_view key_id, std::optional<std::optional<Time>> expires_at,
    std::chrono::seconds overlap) {
  ASSIGN_OR_RETURN(KeyRecord key, OwnedKey(caller, org_id, account_id, key_id));
  return keys_.RotateAuthorized(caller, key, expires_at, overlap);
}

Result<KeyRecord> ServiceAccountService::RevokeKey(const Caller& caller, std::string_view org_id,
                                                   std::string_view account_id,
                                                   std::string_view key_id) {
  ASSIGN_OR_RETURN(KeyRecord key, OwnedKey(caller, org_id, account_id, key_id));
  return keys_.RevokeAuthorized(caller, key);
}

}  // namespace tfzo
