#ifndef TFZO_SERVICE_SERVICE_ACCOUNT_SERVICE_H_
#define TFZO_SERVICE_SERVICE_ACCOUNT_SERVICE_H_

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "service/context.h"
#include "service/key_service.h"

namespace tfzo {

// Service accounts of an organization and their keys (docs/spec/API.md "Console: service
// accounts"), for its owners only: anyone else gets kForbidden, as for the org's other owner
// pages, whether or not the organization exists. A service account of another organization, or
// a key of another holder, answers kNotFound. Keys are made, rotated and revoked by KeyService
// (its *Authorized methods) once the owner is checked here, always scoped to the service
// account's organization. Holds references only; thread-safe.
class ServiceAccountService {
 public:
  ServiceAccountService(ServiceDeps deps, KeyService& keys);

  Result<ServiceAccountRecord> Create(const Caller& caller, std::string_view org_id,
                                      std::string_view name, std::string_view description);
  Result<std::vector<ServiceAccountRecord>> List(const Caller& caller, std::string_view org_id);
  // Deletes it and revokes its keys at once, on every node.
  Status Delete(const Caller& caller, std::string_view org_id, std::string_view account_id);

  // Its keys, newest first.
  Result<std::vector<KeyRecord>> ListKeys(const Caller& caller, std::string_view org_id,
                                          std::string_view account_id);
  // `request.org_id` is ignored: the key is scoped to the service account's organization.
  Result<KeyService::Issued> CreateKey(const Caller& caller, std::string_view org_id,
                                       std::string_view account_id,
                                       KeyService::CreateRequest request);
  Result<KeyService::Issued> RotateKey(const Caller& caller, std::string_view org_id,
                                       std::string_view account_id, std::string_view key_id,
                                       std::optional<std::optional<Time>> expires_at,
                                       std::chrono::seconds overlap = std::chrono::seconds(0));
  Result<KeyRecord> RevokeKey(const Caller& caller, std::string_view org_id,
                              std::string_view account_id, std::string_view key_id);

 private:
  // The caller's membership of the org, if it is an owner's; else kForbidden (or
  // two_factor_required).
  Result<MembershipRecord> RequireOwner(const Caller& caller, std::string_view org_id);
  // The org's live service account, its owner asking; else kForbidden or kNotFound.
  Result<ServiceAccountRecord> Owned(const Caller& caller, std::string_view org_id,
                                     std::string_view account_id);
  // A key of the org's service account, its owner asking; else kForbidden or kNotFound.
  Result<KeyRecord> OwnedKey(const Caller& caller, std::string_view org_id,
                             std::string_view account_id, std::string_view key_id);

  ServiceDeps deps_;
  KeyService& keys_;
};

}  // namespace tfzo

#endif  // TFZO_SERVICE_SERVICE_ACCOUNT_SERVICE_H_
