#include "auth/bearer_authenticator.h"

#include <strings.h>

namespace tfzo {

Status LimitUnknownKeys(FailureLimiter* unknown_keys, const Status& check,
                        std::string_view address) {
  if (unknown_keys == nullptr ||
      (check.code() != StatusCode::kKeyMalformed && check.code() != StatusCode::kKeyInvalid)) {
    return Status::Ok();
  }
  const auto wait = unknown_keys->RetryAfter(address);
  if (wait.count() > 0) {
    return RateLimited("Too many unknown API keys from this address: try again later.",
                       static_cast<int>(wait.count()));
  }
  unknown_keys->RecordFailure(address);
  return Status::Ok();
}

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
  RETURN_IF_ERROR(LimitUnknownKeys(unknown_keys_, state.status(), credentials.remote_ip));
  if (!state.ok()) return state.status();
  const Status address = verifier_.CheckAddress(*state, credentials.remote_ip);
  if (!address.ok()) {
    notes.key_check = KeyCheckName(address);
    return address;
  }
  return Principal{.key = std::move(state).value()};
}

}  // namespace tfzo
