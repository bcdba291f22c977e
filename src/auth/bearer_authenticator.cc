#include "auth/bearer_authenticator.h"

#include <strings.h>

namespace tfzo {

Result<Principal> BearerAuthenticator::Authenticate(const Credentials& credentials, Notes& notes) {
  constexpr std::string_view kScheme = "Bearer ";
  const std::string_view value = credentials.authorization.value_or("");
  // The scheme's name is case-insensitive (RFC 9110); the C locale's strncasecmp is ASCII.
  if (value.size() < kScheme.size() ||
      strncasecmp(value.data(), kScheme.data(), kScheme.size()) != 0) {
    return Status(StatusCode::kUnauthenticated,
                  "No API key: send the header \"Authorization: Bearer tfzo_...\".");
  }
  Result<KeyState> state = verifier_.Verify(value.substr(kScheme.size()));
  notes.key_check = KeyCheckName(state.status());
  const StatusCode code = state.status().code();
  if (unknown_keys_ != nullptr &&
      (code == StatusCode::kKeyMalformed || code == StatusCode::kKeyInvalid)) {
    // Guessing keys from one address: the limit's N unknown keys get their answer, the ones
    // after them (more than N in the window) learn only that they must wait.
    const auto wait = unknown_keys_->RetryAfter(credentials.remote_ip);
    if (wait.count() > 0) {
      return RateLimited("Too many unknown API keys from this address: try again later.",
                         static_cast<int>(wait.count()));
    }
    unknown_keys_->RecordFailure(credentials.remote_ip);
  }
  if (!state.ok()) return state.status();
  return Principal{.key = std::move(state).value()};
}

}  // namespace tfzo
