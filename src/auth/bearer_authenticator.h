#ifndef TFZO_AUTH_BEARER_AUTHENTICATOR_H_
#define TFZO_AUTH_BEARER_AUTHENTICATOR_H_

#include <chrono>
#include <string_view>

#include "auth/authenticator.h"
#include "auth/failure_limiter.h"
#include "auth/key_verifier.h"

namespace tfzo {

// The per-address limit on guessing keys, shared by every route that checks a key a client
// sends (the Bearer routes, verify), so that none is a way around it. A malformed or unknown
// `check` counts against `address` in `unknown_keys` (null: no limit): the address gets the
// answer for the limit's number of them in the window; past that (more than the limit) this
// answers kRateLimited with Retry-After instead, and the address learns only that it must
// wait. Any other check is Ok and not counted.
Status LimitUnknownKeys(FailureLimiter* unknown_keys, const Status& check,
                        std::string_view address);

// Authenticates the CLI's requests: "Authorization: Bearer <key>" checked by KeyVerifier
// (docs/spec/KEYS.md's order). Malformed and unknown keys count against the client's address
// in `unknown_keys`: once an address sent its limit of them in the window, its further unknown
// keys (more than the limit) get 429 instead of learning which keys exist.
// References the verifier and the limiter, which outlive it. Thread-safe.
class BearerAuthenticator final : public Authenticator {
 public:
  // The WWW-Authenticate value of a 401 on a Bearer path (RFC 6750).
  static constexpr std::string_view kChallenge = "Bearer error=\"invalid_token\"";
  // The unknown-key limiter's window (its limit is --key-failure-limit, by default
  // kDefaultUnknownKeyLimit).
  static constexpr std::chrono::minutes kUnknownKeyWindow{1};
  static constexpr int kDefaultUnknownKeyLimit = 100;

  // `unknown_keys` may be null: no limit.
  BearerAuthenticator(KeyVerifier& verifier, FailureLimiter* unknown_keys)
      : verifier_(verifier), unknown_keys_(unknown_keys) {}

  // kUnauthenticated without a Bearer key; the key's own error (kKeyMalformed, kKeyInvalid,
  // kKeyRevoked, kKeyExpired); kIpNotAllowed for a valid key sent from an address it does not
  // allow; kRateLimited for an address past its unknown-key limit. `notes.key_check` is the
  // key's own result (or ip_not_allowed), also when the address is refused.
  Result<Principal> Authenticate(const Credentials& credentials, Notes& notes) override;

 private:
  KeyVerifier& verifier_;
  FailureLimiter* unknown_keys_;
};

}  // namespace tfzo

#endif  // TFZO_AUTH_BEARER_AUTHENTICATOR_H_
