#ifndef TFZO_SERVICE_SESSION_AUTHENTICATOR_H_
#define TFZO_SERVICE_SESSION_AUTHENTICATOR_H_

#include "auth/authenticator.h"
#include "service/account_service.h"

namespace tfzo {

// Authenticates the console's requests: the session cookie's token names a session that
// AccountService still honours (known, not idle for AccountService::kSessionIdleTimeout), and
// a state-changing request carries that session's CSRF token in X-CSRF-Token (compared in
// constant time). An Authorization header is refused outright: keys never manage keys
// (docs/spec/API.md). Sessions come from AccountService::Signup and Login, whose login
// throttle they do not involve. References the service, which outlives it. Thread-safe.
class SessionAuthenticator final : public Authenticator {
 public:
  explicit SessionAuthenticator(AccountService& accounts) : accounts_(accounts) {}

  // kSessionRequired with an Authorization header; kUnauthenticated without a live session;
  // kCsrfFailed when a state-changing request lacks the session's CSRF token.
  Result<Principal> Authenticate(const Credentials& credentials, Notes& notes) override;

 private:
  AccountService& accounts_;
};

}  // namespace tfzo

#endif  // TFZO_SERVICE_SESSION_AUTHENTICATOR_H_
