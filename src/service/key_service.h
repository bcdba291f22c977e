#ifndef TFZO_SERVICE_KEY_SERVICE_H_
#define TFZO_SERVICE_KEY_SERVICE_H_

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/secret.h"
#include "service/context.h"

namespace tfzo {

// An account's API keys: create, list, edit, rotate, revoke (docs/spec/API.md "Console: API
// keys"). A key's value is generated here, returned once as a Secret, and only its SHA-256
// is stored. Another account's key answers kNotFound, never kForbidden. Thread-safe.
class KeyService {
 public:
  struct Options {
    // --max-key-lifetime: when set, every expiration must fall within it and "never" is refused.
    std::optional<int> max_lifetime_days;
  };

  // A rotation's overlap is at most 7 days.
  static constexpr std::chrono::seconds kMaxOverlap{7 * 24 * 3600};
  // A key allows at most 100 networks.
  static constexpr size_t kMaxAllowedIps = 100;

  struct CreateRequest {
    std::string name;
    std::string description;
    std::optional<Time> expires_at;  // nullopt: never
    std::optional<std::string> org_id;
    // nullopt: every permission the key's organization's policy allows (all, unscoped).
    std::optional<Permissions> permissions{};
    std::vector<std::string> allowed_ips{};  // as given: addresses or CIDRs
  };

  // What PATCH /api/keys/{key} changes: each present field.
  struct Patch {
    std::optional<std::string> name{};
    std::optional<std::string> description{};
    std::optional<Permissions> permissions{};
    std::optional<std::vector<std::string>> allowed_ips{};
    // Only on an active key; an inner nullopt: never.
    std::optional<std::optional<Time>> expires_at{};
  };

  // A key and its value, for the two answers that carry the value.
  struct Issued {
    KeyRecord key;
    Secret secret;
  };

  KeyService(ServiceDeps deps, Options options);

  const Options& options() const { return options_; }

  // A page of the caller's keys (query.account_id and query.now are set here).
  Result<KeyPage> List(const Caller& caller, KeyQuery query = {});
  Result<Issued> Create(const Caller& caller, CreateRequest request);
  Result<KeyRecord> Update(const Caller& caller, std::string_view key_id, Patch patch);
  // `expires_at`: absent keeps the expiration, within the server's maximum lifetime from now;
  // present replaces it (an inner nullopt: never). `overlap`: how long the previous value keeps
  // working, 0 to kMaxOverlap.
  Result<Issued> Rotate(const Caller& caller, std::string_view key_id,
                        std::optional<std::optional<Time>> expires_at,
                        std::chrono::seconds overlap = std::chrono::seconds(0));
  Result<KeyRecord> Revoke(const Caller& caller, std::string_view key_id);
  // Revokes 1..100 of the caller's keys, all or nothing: kNotFound, revoking none, when one is
  // not the caller's. The keys after, in the order asked (a repeated id once).
  Result<std::vector<KeyRecord>> RevokeMany(const Caller& caller,
                                            const std::vector<std::string>& key_ids);

  // The same for a key the caller was already found allowed to act on (an organization's owner
  // on its service account's keys: ServiceAccountService), so that both share one logic.
  //
  // Creates a key of `holder_id` (a service account of `org`, the key's scope); `notify`: the
  // address told of it, if any.
  Result<Issued> CreateAuthorized(const Caller& caller, std::string holder_id,
                                  CreateRequest request, const std::string& org_name,
                                  std::optional<std::string> notify);
  Result<Issued> RotateAuthorized(const Caller& caller, const KeyRecord& key,
                                  std::optional<std::optional<Time>> expires_at,
                                  std::chrono::seconds overlap = std::chrono::seconds(0));
  Result<KeyRecord> RevokeAuthorized(const Caller& caller, const KeyRecord& key);

 private:
  Status CheckExpiry(const std::optional<Time>& expires_at) const;
  // The allowed addresses as the store keeps them (canonical CIDRs), or kInvalidRequest.
  static Result<std::vector<std::string>> CheckAllowedIps(const std::vector<std::string>& given);
  static Status CheckOverlap(std::chrono::seconds overlap);
  // Checks and normalizes the request's text and expiration; its allowed addresses as the
  // store keeps them.
  Result<std::vector<std::string>> CheckRequest(CreateRequest& request) const;
  // The key's organization's policy (none for an unscoped key).
  Result<OrgPolicy> PolicyOf(const std::optional<std::string>& org_id);
  // Creates the checked key of `holder_id`; `notify`: the address told of it, if any. The key
  // returned is as written, with its org's name: not read back (no e-mail, no service account
  // name).
  Result<Issued> Issue(const Caller& caller, std::string holder_id, CreateRequest request,
                       std::vector<std::string> allowed_ips, const std::string& org_name,
                       std::optional<std::string> notify);
  // The caller's own key, or kNotFound.
  Result<KeyRecord> OwnKey(const Caller& caller, std::string_view key_id);
  SecretRecord NewSecret(const std::string& key_id, Secret& value);

  ServiceDeps deps_;
  Options options_;
};

// "active", "expired" or "revoked" at `now`.
std::string_view KeyStatusName(const KeyRecord& key, Time now);

}  // namespace tfzo

#endif  // TFZO_SERVICE_KEY_SERVICE_H_
