#include "service/session_authenticator.h"

#include <sodium.h>

namespace tfzo {
namespace {

bool ConstantTimeEquals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace

Result<Principal> SessionAuthenticator::Authenticate(const Credentials& credentials, Notes&) {
  if (credentials.authorization) {
    return Status(StatusCode::kSessionRequired,
                  "API keys cannot be used here: keys are managed from a signed-in console "
                  "session only.");
  }
  ASSIGN_OR_RETURN(AccountService::SessionInfo info,
                   accounts_.Authenticate(credentials.session_token));
  if (credentials.state_changing &&
      (!credentials.csrf_token || !ConstantTimeEquals(*credentials.csrf_token, info.csrf_token))) {
    return Status(StatusCode::kCsrfFailed,
                  "Missing or wrong X-CSRF-Token header: reload the page and try again.");
  }
  return Principal{.account = std::move(info.account), .csrf_token = std::move(info.csrf_token)};
}

}  // namespace tfzo
