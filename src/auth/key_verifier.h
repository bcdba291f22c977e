#ifndef TFZO_AUTH_KEY_VERIFIER_H_
#define TFZO_AUTH_KEY_VERIFIER_H_

#include <string_view>

#include "auth/usage_recorder.h"
#include "core/result.h"
#include "core/time.h"
#include "store/store.h"

namespace tfzo {

// Decides whether an API key may be used, in the order of spec/KEYS.md: malformed, unknown,
// revoked, expired; then whether it reaches an organization (spec/API.md's scope rules).
// Holds references to the store, clock and usage recorder, which outlive it. Thread-safe.
class KeyVerifier {
 public:
  KeyVerifier(Store& store, const Clock& clock, UsageRecorder* usage);

  // The key's state when it is valid now; otherwise kKeyMalformed, kKeyInvalid, kKeyRevoked or
  // kKeyExpired with a message a person can act on. A valid use is recorded when
  // `record_use` is set.
  Result<KeyState> Verify(std::string_view key, bool record_use = true);

  // kForbidden when the account is not a member of the org now (also for an org that does not
  // exist: no existence oracle), kOrgOutOfScope when the key is scoped to another org.
  Status CheckOrgAccess(const KeyState& key, std::string_view org_id);

 private:
  Store& store_;
  const Clock& clock_;
  UsageRecorder* usage_;
};

}  // namespace tfzo

#endif  // TFZO_AUTH_KEY_VERIFIER_H_
