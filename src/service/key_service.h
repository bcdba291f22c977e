#ifndef TFZO_SERVICE_KEY_SERVICE_H_
#define TFZO_SERVICE_KEY_SERVICE_H_

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

  struct CreateRequest {
    std::string name;
    std::string description;
    std::optional<Time> expires_at;  // nullopt: never
    std::optional<std::string> org_id;
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
  Result<KeyRecord> Update(const Caller& caller, std::string_view key_id,
                           std::optional<std::string> name, std::optional<std::string> description);
  // `expires_at`: absent keeps the expiration; present replaces it (an inner nullopt: never).
  Result<Issued> Rotate(const Caller& caller, std::string_view key_id,
                        std::optional<std::optional<Time>> expires_at);
  Result<KeyRecord> Revoke(const Caller& caller, std::string_view key_id);
  // Revokes 1..100 of the caller's keys, all or nothing: kNotFound, revoking none, when one is
  // not the caller's. The keys after, in the order asked (a repeated id once).
  Result<std::vector<KeyRecord>> RevokeMany(const Caller& caller,
                                            const std::vector<std::string>& key_ids);

 private:
  Status CheckExpiry(const std::optional<Time>& expires_at) const;
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
