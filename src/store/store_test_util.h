#ifndef TFZO_STORE_STORE_TEST_UTIL_H_
#define TFZO_STORE_STORE_TEST_UTIL_H_

// Records for the store tests (store_test.cc, sqlite_store_test.cc, postgres_store_test.cc).

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/digest.h"
#include "model/store.h"

namespace tfzo::testing {

inline const Time kT0 = FromUnix(1'800'000'000);
inline Time At(int seconds) { return kT0 + std::chrono::seconds(seconds); }

inline EventRecord Event(std::string id, std::string action, std::optional<std::string> actor,
                         std::optional<std::string> org = std::nullopt, Time at = kT0) {
  return EventRecord{.id = std::move(id),
                     .at = at,
                     .action = std::move(action),
                     .actor_id = std::move(actor),
                     .org_id = std::move(org),
                     .target_id = "target",
                     .ip = "127.0.0.1"};
}

inline AccountRecord Account(std::string id, std::string email) {
  return AccountRecord{.id = std::move(id),
                       .email = std::move(email),
                       .name = "Someone",
                       .password_hash = "$argon2id$v=19$m=19456,t=2,p=1$x$y",
                       .created_at = kT0};
}

inline KeyRecord Key(std::string id, std::string account_id, Time created_at = kT0,
                     std::optional<std::string> org_id = std::nullopt) {
  KeyRecord k;
  k.id = std::move(id);
  k.account_id = std::move(account_id);
  k.name = "ci";
  k.description = "for CI";
  k.hint = "tfzo_...abcd";
  k.org_id = std::move(org_id);
  k.created_at = created_at;
  return k;
}

// Key `key_id` as `store` has it, renamed: what UpdateKey is given to rename a key.
inline KeyRecord Renamed(Store& store, std::string_view key_id, std::string name) {
  KeyRecord k = store.FindKey(key_id).value();
  k.name = std::move(name);
  return k;
}

inline SecretRecord Secret(std::string_view value, std::string key_id, Time created_at = kT0) {
  return SecretRecord{.digest = Sha256(value),
                      .key_id = std::move(key_id),
                      .hint = "tfzo_..." + std::string(value.substr(value.size() - 4)),
                      .created_at = created_at,
                      .revoked_at = std::nullopt};
}

inline std::vector<std::string> EventIds(const std::vector<EventRecord>& events) {
  std::vector<std::string> ids;
  for (const auto& e : events) ids.push_back(e.id);
  return ids;
}

}  // namespace tfzo::testing

#endif  // TFZO_STORE_STORE_TEST_UTIL_H_
