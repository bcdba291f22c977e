#include "auth/bearer_authenticator.h"

#include <algorithm>

namespace tfzo {

Result<Principal> BearerAuthenticator::Authenticate(const Credentials& credentials, Notes& notes) {
  constexpr std::string_view kScheme = "Bearer ";
  const std::string_view value = credentials.authorization.value_or("");
  auto same_letter = [](char a, char b) {  // ASCII only: the scheme is case-insensitive
    return (a >= 'A' && a <= 'Z' ? a + 32 : a) == (b >= 'A' && b <= 'Z' ? b + 32 : b);
  };
  if (value.size() < kScheme.size() ||
      !std::equal(kScheme.begin(), kScheme.end(), value.begin(), same_letter)) {
    return Status(StatusCode::kUnauthenticated,
                  "No API key: send the header \"Authorization: Bearer tfzo_...\".");
  }
  Result<KeyState> state = verifier_.Verify(value.substr(kScheme.size()));
  notes.key_check = KeyCheckName(state.status());
  const StatusCode code = state.status().code();
  if (unknown_keys_ != nullptr &&
      (code == StatusCode::kKeyMalformed || code == StatusCode::kKeyInvalid)) {
    // Guessing keys from one address: after too many unknown keys, stop answering which.
    unknown_keys_->RecordFailure(credentials.remote_ip);
    const auto wait = unknown_keys_->RetryAfter(credentials.remote_ip);
    if (wait.count() > 0) {
      return RateLimited("Too many unknown API keys from this address: try again later.",
                         static_cast<int>(wait.count()));
    }
  }
  if (!state.ok()) return state.status();
  return Principal{.key = std::move(state).value()};
}

}  // namespace tfzo
