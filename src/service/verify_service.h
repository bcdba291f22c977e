#ifndef TFZO_SERVICE_VERIFY_SERVICE_H_
#define TFZO_SERVICE_VERIFY_SERVICE_H_

#include <array>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "auth/authenticator.h"
#include "auth/bearer_authenticator.h"
#include "auth/failure_limiter.h"
#include "auth/key_verifier.h"
#include "auth/sharded_cache.h"

namespace tfzo {

// Another service asks whether a key is valid, optionally for an organization
// (docs/spec/API.md "POST /api/v1/keys/verify"). A key that is not valid is an answer, not
// an error: the caller learns the code. An organization-scoped key is checked against its
// organization even without `org_id`: once its owner left that organization it is not valid.
// Malformed and unknown keys count against the client's address in `unknown_keys` (the Bearer
// routes' limiter): past the limit the verdict is kRateLimited instead of the key's code.
//
// The answer's body is built by `render` (the transport's format) and kept, as MeService keeps
// /api/v1/me's: the body of a valid key is a function of its KeyState alone (never of the org
// asked about, nor of the time: expiry and revocation are judged before, at every check), so it
// is reused while the key's cached state is the same; a refusal's body is a function of its
// reason alone, rendered once per reason. References the verifier and the limiter, which
// outlive it. Thread-safe.
class VerifyService {
 public:
  static constexpr size_t kMaxAnswers = 100000;  // then all are dropped: bounds the memory
  static constexpr std::chrono::hours kAnswerMaxAge{1};

  struct Verdict {
    std::optional<KeyState> key{};        // valid: the key's state
    StatusCode reason = StatusCode::kOk;  // not valid: a key error, a scope error, kRateLimited
    int retry_after = 0;                  // kRateLimited: seconds to wait
  };
  // The body of a verdict. Must depend on nothing but the verdict's `key` (valid) or `reason`
  // (not valid): its answers are reused on that promise.
  using Render = std::function<std::string(const Verdict&)>;
  // A verdict and its rendered body.
  struct Answered {
    Verdict verdict;
    std::string body;
  };

  // `unknown_keys` may be null: no limit. `clock` (which outlives the service) dates the kept
  // answers; `render` may be null when only Verify() is used.
  VerifyService(KeyVerifier& verifier, FailureLimiter* unknown_keys, const Clock& clock,
                Render render);
  // Verify() only (no rendered answers).
  explicit VerifyService(KeyVerifier& verifier, FailureLimiter* unknown_keys = nullptr);

  // What the caller asks about a key besides whether it is valid. Views: valid during the call.
  struct Question {
    std::optional<std::string_view> org_id{};  // the key must reach this org
    Permissions permissions{};                 // the key must have each
    std::optional<std::string_view> ip{};      // the key must allow requests from this address
  };

  // The verdict on `key` for `question`, asked from `remote_ip`, in the Bearer routes' order:
  // the key, its allowed addresses, its permissions, its organization. An error only when no
  // verdict can be given now (kInternal, kUnavailable). `notes.key_check` is the key's own
  // check, also when the address is refused.
  Result<Verdict> Verify(std::string_view key, const Question& question, std::string_view remote_ip,
                         Authenticator::Notes& notes);

  // The same verdict with its body (needs `render`).
  Result<Answered> Answer(std::string_view key, const Question& question,
                          std::string_view remote_ip, Authenticator::Notes& notes);

 private:
  // A valid key's body and the state it was rendered from.
  struct Built {
    KeyState state;
    std::string body;
  };
  static constexpr size_t kReasons = static_cast<size_t>(StatusCode::kUnavailable) + 1;

  std::string ValidBody(const Verdict& verdict);

  KeyVerifier& verifier_;
  FailureLimiter* unknown_keys_;
  Render render_;
  std::array<std::string, kReasons> refusals_;  // by reason, rendered by the constructor
  std::optional<ShardedCache<std::string, std::shared_ptr<const Built>>> answers_;  // by key id
};

}  // namespace tfzo

#endif  // TFZO_SERVICE_VERIFY_SERVICE_H_
