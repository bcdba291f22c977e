#ifndef TFZO_SERVICE_VERIFY_SERVICE_H_
#define TFZO_SERVICE_VERIFY_SERVICE_H_

#include <optional>
#include <string>
#include <string_view>

#include "auth/authenticator.h"
#include "auth/bearer_authenticator.h"
#include "auth/failure_limiter.h"
#include "auth/key_verifier.h"

namespace tfzo {

// Another service asks whether a key is valid, optionally for an organization
// (docs/spec/API.md "POST /api/v1/keys/verify"). A key that is not valid is an answer, not
// an error: the caller learns the code. An organization-scoped key is checked against its
// organization even without `org_id`: once its owner left that organization it is not valid.
// Malformed and unknown keys count against the client's address in `unknown_keys` (the Bearer
// routes' limiter): past the limit the verdict is kRateLimited instead of the key's code.
// References the verifier and the limiter, which outlive it. Thread-safe.
class VerifyService {
 public:
  struct Verdict {
    std::optional<KeyState> key{};        // valid: the key's state
    StatusCode reason = StatusCode::kOk;  // not valid: a key error, a scope error, kRateLimited
    int retry_after = 0;                  // kRateLimited: seconds to wait
  };

  // `unknown_keys` may be null: no limit.
  explicit VerifyService(KeyVerifier& verifier, FailureLimiter* unknown_keys = nullptr)
      : verifier_(verifier), unknown_keys_(unknown_keys) {}

  // The verdict on `key` (for `org_id`, when given) asked from `remote_ip`. An error only when
  // no verdict can be given now (kInternal, kUnavailable). `notes.key_check` is the key's own
  // check, also when the address is refused.
  Result<Verdict> Verify(std::string_view key, const std::optional<std::string>& org_id,
                         std::string_view remote_ip, Authenticator::Notes& notes);

 private:
  KeyVerifier& verifier_;
  FailureLimiter* unknown_keys_;
};

}  // namespace tfzo

#endif  // TFZO_SERVICE_VERIFY_SERVICE_H_
