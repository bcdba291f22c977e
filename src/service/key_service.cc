#include "service/key_service.h"

#include <fmt/format.h>

#include <set>

#include "core/api_key.h"
#include "core/digest.h"
#include "core/ip_networks.h"
#include "model/org_policy.h"
#include "service/key_list.h"
#include "service/key_notices.h"
#include "service/validation.h"

namespace tfzo {

std::string_view KeyStatusName(const KeyRecord& key, Time now) {
  if (key.revoked_at) return "revoked";
  if (key.expires_at && *key.expires_at <= now) return "expired";
  return "active";
}

KeyService::KeyService(ServiceDeps deps, Options options) : deps_(deps), options_(options) {}

Status KeyService::CheckExpiry(const std::optional<Time>& expires_at) const {
  const Time now = deps_.clock.Now();
  if (!expires_at) {
    if (options_.max_lifetime_days) {
      return InvalidRequest(fmt::format(
          "expires_at: this server requires an expiration within {} days; \"never\" is not "
          "allowed",
          *options_.max_lifetime_days));
    }
    return Status::Ok();
  }
  if (*expires_at <= now) return InvalidRequest("expires_at: must be in the future");
  if (options_.max_lifetime_days &&
      *expires_at > now + std::chrono::days(*options_.max_lifetime_days)) {
    return InvalidRequest(
        fmt::format("expires_at: must be at most {} days from now", *options_.max_lifetime_days));
  }
  return Status::Ok();
}

Result<std::vector<std::string>> KeyService::CheckAllowedIps(
    const std::vector<std::string>& given) {
  if (given.size() > kMaxAllowedIps) {
    return InvalidRequest(fmt::format("allowed_ips: at most {} entries", kMaxAllowedIps));
  }
  IpNetworks networks;
  for (const std::string& entry : given) {
    const Status added = networks.Add(entry);
    if (!added.ok()) return InvalidRequest("allowed_ips: " + added.message());
  }
  return networks.entries();
}

Result<KeyRecord> KeyService::OwnKey(const Caller& caller, std::string_view key_id) {
  auto key = deps_.store.FindKey(key_id);
  if (!key.ok() && key.status().code() != StatusCode::kNotFound) return key.status();
  if (!key.ok() || key->account_id != caller.account_id) {
    return NotFound("No API key with this id.");
  }
  return key;
}

SecretRecord KeyService::NewSecret(const std::string& key_id, Secret& value) {
  value = Secret(GenerateKey(deps_.random));
  return SecretRecord{.digest = Sha256(value.reveal()),
                      .key_id = key_id,
                      .hint = KeyHint(value.reveal()),
                      .created_at = deps_.clock.Now(),
                      .revoked_at = std::nullopt};
}

Result<KeyPage> KeyService::List(const Caller& caller, KeyQuery query) {
  query.account_id = caller.account_id;
  query.org_id.reset();
  query.now = deps_.clock.Now();
  return deps_.store.QueryKeys(query);
}

Status KeyService::CheckOverlap(std::chrono::seconds overlap) {
  if (overlap.count() < 0 || overlap > kMaxOverlap) {
    return InvalidRequest(
        fmt::format("overlap_seconds: must be from 0 to {} (7 days)", kMaxOverlap.count()));
  }
  return Status::Ok();
}

Result<std::vector<std::string>> KeyService::CheckRequest(CreateRequest& request) const {
  ASSIGN_OR_RETURN(request.name, CheckText("name", request.name, 1, 100));
  ASSIGN_OR_RETURN(request.description,
                   CheckText("description", request.description, 0, 500, /*multiline=*/true));
  RETURN_IF_ERROR(CheckExpiry(request.expires_at));
  return CheckAllowedIps(request.allowed_ips);
}

Result<OrgPolicy> KeyService::PolicyOf(const std::optional<std::string>& org_id) {
  if (!org_id) return OrgPolicy{};
  return deps_.store.FindOrgPolicy(*org_id);
}

Result<KeyService::Issued> KeyService::Create(const Caller& caller, CreateRequest request) {
  ASSIGN_OR_RETURN(std::vector<std::string> allowed_ips, CheckRequest(request));
  std::string org_name;  // for the notice
  if (request.org_id) {
    ASSIGN_OR_RETURN(auto role, deps_.store.FindRole(*request.org_id, caller.account_id));
    if (!role) {
      return Forbidden("org_id: you are not a member of this organization");
    }
    ASSIGN_OR_RETURN(OrgRecord org, deps_.store.FindOrg(*request.org_id));
    org_name = std::move(org.name);
  }
  std::string email = caller.email;
  if (email.empty()) {
    ASSIGN_OR_RETURN(AccountRecord account, deps_.store.FindAccount(caller.account_id));
    email = std::move(account.email);
  }
  ASSIGN_OR_RETURN(Issued issued, Issue(caller, caller.account_id, std::move(request),
                                        std::move(allowed_ips), org_name, email));
  issued.key.email = std::move(email);
  return issued;
}

Result<KeyService::Issued> KeyService::CreateAuthorized(const Caller& caller, std::string holder_id,
                                                        CreateRequest request,
                                                        const std::string& org_name,
                                                        std::optional<std::string> notify) {
  ASSIGN_OR_RETURN(std::vector<std::string> allowed_ips, CheckRequest(request));
  ASSIGN_OR_RETURN(Issued issued, Issue(caller, std::move(holder_id), std::move(request),
                                        std::move(allowed_ips), org_name, std::move(notify)));
  // What only a read fills: the holder's e-mail, a service account's name.
  ASSIGN_OR_RETURN(issued.key, deps_.store.FindKey(issued.key.id));
  return issued;
}

Result<KeyService::Issued> KeyService::Issue(const Caller& caller, std::string holder_id,
                                             CreateRequest request,
                                             std::vector<std::string> allowed_ips,
                                             const std::string& org_name,
                                             std::optional<std::string> notify) {
  Issued issued;
  KeyRecord& key = issued.key;
  key.id = NewId("key", deps_.random);
  key.account_id = std::move(holder_id);
  key.name = std::move(request.name);
  key.description = std::move(request.description);
  key.org_id = std::move(request.org_id);
  key.created_at = deps_.clock.Now();
  key.expires_at = request.expires_at;
  key.allowed_ips = std::move(allowed_ips);
  ASSIGN_OR_RETURN(const OrgPolicy policy, PolicyOf(key.org_id));
  key.permissions =
      request.permissions.value_or(policy.allowed_permissions.value_or(Permissions::All()));
  RETURN_IF_ERROR(
      CheckKeyPolicy(policy, org_name, key.created_at, key.expires_at, key.permissions));
  SecretRecord secret = NewSecret(key.id, issued.secret);
  key.hint = secret.hint;
  EventRecord event = deps_.Event("key.created", caller, key.id, key.org_id);
  if (notify) event.mails.push_back(KeyCreatedMail(deps_, *notify, key, org_name, caller));
  const Status created = deps_.store.CreateKey(key, secret, event);
  if (created.code() == StatusCode::kQuotaExceeded) {
    return ActiveKeysQuotaExceeded(deps_.store.quotas().max_active_keys.value_or(0));
  }
  RETURN_IF_ERROR(created);
  key.org_name = org_name;
  return issued;
}

Result<KeyRecord> KeyService::Update(const Caller& caller, std::string_view key_id, Patch patch) {
  ASSIGN_OR_RETURN(KeyRecord key, OwnKey(caller, key_id));
  if (patch.name) {
    ASSIGN_OR_RETURN(key.name, CheckText("name", *patch.name, 1, 100));
  }
  if (patch.description) {
    ASSIGN_OR_RETURN(key.description, CheckText("description", *patch.description, 0, 500, true));
  }
  if (patch.permissions) key.permissions = *patch.permissions;
  if (patch.allowed_ips) {
    ASSIGN_OR_RETURN(key.allowed_ips, CheckAllowedIps(*patch.allowed_ips));
  }
  if (patch.expires_at) {
    if (KeyStatusName(key, deps_.clock.Now()) != "active") {
      return Conflict(
          "Only an active key's expiration can be changed; rotate an expired key with a new "
          "expires_at instead.");
    }
    RETURN_IF_ERROR(CheckExpiry(*patch.expires_at));
    key.expires_at = *patch.expires_at;
  }
  if (patch.permissions || patch.expires_at) {
    ASSIGN_OR_RETURN(const OrgPolicy policy, PolicyOf(key.org_id));
    RETURN_IF_ERROR(CheckKeyPolicy(policy, key.org_name, key.rotated_at.value_or(key.created_at),
                                   key.expires_at, key.permissions));
  }
  RETURN_IF_ERROR(
      deps_.store.UpdateKey(key, deps_.Event("key.updated", caller, key.id, key.org_id)));
  return deps_.store.FindKey(key.id);
}

Result<KeyService::Issued> KeyService::Rotate(const Caller& caller, std::string_view key_id,
                                              std::optional<std::optional<Time>> expires_at,
                                              std::chrono::seconds overlap) {
  RETURN_IF_ERROR(CheckOverlap(overlap));
  ASSIGN_OR_RETURN(KeyRecord key, OwnKey(caller, key_id));
  return RotateAuthorized(caller, key, expires_at, overlap);
}

Result<KeyService::Issued> KeyService::RotateAuthorized(
    const Caller& caller, const KeyRecord& key, std::optional<std::optional<Time>> expires_at,
    std::chrono::seconds overlap) {
  RETURN_IF_ERROR(CheckOverlap(overlap));
  if (key.revoked_at) return Conflict("This key is revoked; revoked keys cannot be rotated.");
  const Time now = deps_.clock.Now();
  if (expires_at) {
    RETURN_IF_ERROR(CheckExpiry(*expires_at));
  } else if (key.expires_at && *key.expires_at <= now) {
    return Conflict("This key has expired: give a new expires_at to rotate it.");
  }
  ASSIGN_OR_RETURN(const OrgPolicy policy, PolicyOf(key.org_id));
  if (!expires_at) {
    // The new value lives no longer than a new key could.
    std::optional<int> max_days = options_.max_lifetime_days;
    if (policy.max_lifetime_days && (!max_days || *policy.max_lifetime_days < *max_days)) {
      max_days = policy.max_lifetime_days;
    }
    const std::optional<Time> latest =
        max_days ? std::optional(now + std::chrono::days(*max_days)) : std::nullopt;
    if (latest && (!key.expires_at || *key.expires_at > *latest)) expires_at = latest;
  }
  RETURN_IF_ERROR(CheckKeyPolicy(policy, key.org_name, now,
                                 expires_at ? *expires_at : key.expires_at, key.permissions));
  Issued issued;
  SecretRecord secret = NewSecret(key.id, issued.secret);
  Status rotated = deps_.store.RotateKey(key.id, secret, expires_at, overlap,
                                         deps_.Event("key.rotated", caller, key.id, key.org_id));
  if (rotated.code() == StatusCode::kConflict) {
    return Conflict("This key is revoked; revoked keys cannot be rotated.");
  }
  RETURN_IF_ERROR(rotated);
  // The key as the rotation wrote it (Store::RotateKey), not read back.
  issued.key = key;
  issued.key.hint = secret.hint;
  issued.key.rotated_at = secret.created_at;
  issued.key.previous_valid_until =
      overlap.count() > 0 ? std::optional(secret.created_at + overlap) : std::nullopt;
  if (expires_at) issued.key.expires_at = *expires_at;
  return issued;
}

Result<KeyRecord> KeyService::Revoke(const Caller& caller, std::string_view key_id) {
  ASSIGN_OR_RETURN(KeyRecord key, OwnKey(caller, key_id));
  return RevokeAuthorized(caller, key);
}

Result<KeyRecord> KeyService::RevokeAuthorized(const Caller& caller, const KeyRecord& key) {
  RETURN_IF_ERROR(deps_.store
                      .RevokeKey(key.id, deps_.clock.Now(),
                                 deps_.Event("key.revoked", caller, key.id, key.org_id))
                      .status());
  return deps_.store.FindKey(key.id);
}

Result<std::vector<KeyRecord>> KeyService::RevokeMany(const Caller& caller,
                                                      const std::vector<std::string>& key_ids) {
  if (key_ids.empty() || key_ids.size() > static_cast<size_t>(kMaxKeyPage)) {
    return InvalidRequest(fmt::format("ids: give 1 to {} key ids", kMaxKeyPage));
  }
  std::vector<KeyRecord> keys;
  std::vector<EventRecord> events;
  std::set<std::string_view> seen;
  for (size_t i = 0; i < key_ids.size(); ++i) {
    if (!seen.insert(key_ids[i]).second) continue;
    auto key = OwnKey(caller, key_ids[i]);
    if (!key.ok()) {
      // Names the position, not the text given (which could be anything, even a key's value).
      if (key.status().code() == StatusCode::kNotFound) {
        return NotFound(
            fmt::format("ids[{}]: no API key of yours has this id; nothing was revoked.", i));
      }
      return key.status();
    }
    events.push_back(deps_.Event("key.revoked", caller, key->id, key->org_id));
    keys.push_back(*std::move(key));
  }
  auto revoked = deps_.store.RevokeKeys(caller.account_id, events, deps_.clock.Now());
  if (revoked.status().code() == StatusCode::kNotFound) {
    return NotFound("ids: one of these keys is no longer yours; nothing was revoked.");
  }
  RETURN_IF_ERROR(revoked.status());
  for (size_t i = 0; i < keys.size(); ++i) keys[i].revoked_at = (*revoked)[i];
  return keys;
}

}  // namespace tfzo
