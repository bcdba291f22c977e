#ifndef TFZO_SERVICE_VERIFY_SERVICE_H_
#define TFZO_SERVICE_VERIFY_SERVICE_H_

#include <optional>
#include <string>
#include <string_view>

#include "auth/authenticator.h"
#include "auth/key_verifier.h"

namespace tfzo {

// Another service asks whether a key is valid, optionally for an organization
// (docs/spec/API.md "POST /api/v1/keys/verify"). A key that is not valid is an answer, not
// an error: the caller learns the code. References the verifier, which outlives it.
// Thread-safe.
class VerifyService {
 public:
  struct Verdict {
    std::optional<KeyState> key{};        // valid: the key's state
    StatusCode reason = StatusCode::kOk;  // not valid: a key error or a scope error
  };

  explicit VerifyService(KeyVerifier& verifier) : verifier_(verifier) {}

  // The verdict on `key` (for `org_id`, when given). An error only when no verdict can be
  // given now (kInternal, kUnavailable). `notes.key_check` is the key's own check.
  Result<Verdict> Verify(std::string_view key, const std::optional<std::string>& org_id,
                         Authenticator::Notes& notes);

 private:
  KeyVerifier& verifier_;
};

}  // namespace tfzo

#endif  // TFZO_SERVICE_VERIFY_SERVICE_H_
