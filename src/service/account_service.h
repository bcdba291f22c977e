#ifndef TFZO_SERVICE_ACCOUNT_SERVICE_H_
#define TFZO_SERVICE_ACCOUNT_SERVICE_H_

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "auth/failure_limiter.h"
#include "auth/password_hasher.h"
#include "core/secret.h"
#include "service/context.h"

namespace tfzo {

// Sign-up, login, console sessions and the account's audit log. Session tokens are random
// 256-bit values; only their SHA-256 is stored. Idle sessions end after kSessionIdleTimeout.
// Holds references only; thread-safe.
class AccountService {
 public:
  // docs/spec/API.md: idle sessions end after 12 hours.
  static constexpr std::chrono::hours kSessionIdleTimeout{12};
  // A session's last use is written at most this often (the idle clock's resolution).
  static constexpr std::chrono::minutes kSessionTouchInterval{1};
  // docs/spec/API.md: 5 failed logins for one email within 15 minutes, then 429 until the
  // window passes. The wiring builds the `login_limiter` with these.
  static constexpr int kLoginFailureLimit = 5;
  static constexpr std::chrono::minutes kLoginFailureWindow{15};

  // A new console session: the cookie value is `token` and is shown to nobody else.
  struct SessionGrant {
    AccountRecord account;
    Secret token;
    std::string csrf_token;
  };
  // An authenticated console request.
  struct SessionInfo {
    AccountRecord account;
    std::string csrf_token;
  };

  // `login_limiter` (may be null) throttles failed logins per email (kLoginFailureLimit in
  // kLoginFailureWindow, then 429 until the window passes, even with the right password).
  AccountService(ServiceDeps deps, const PasswordHasher& hasher,
                 FailureLimiter* login_limiter = nullptr);

  Result<SessionGrant> Signup(std::string_view email, const Secret& password, std::string_view name,
                              const std::string& ip);
  Result<SessionGrant> Login(std::string_view email, const Secret& password, const std::string& ip);
  // kUnauthenticated when the token is unknown or the session idled out.
  Result<SessionInfo> Authenticate(std::string_view token);
  Status Logout(std::string_view token);

  Result<std::vector<EventRecord>> ListEvents(const Caller& caller, int limit,
                                              std::optional<std::string> before);

 private:
  Result<SessionGrant> StartSession(AccountRecord account, const std::string& ip,
                                    std::string action);

  ServiceDeps deps_;
  const PasswordHasher& hasher_;
  FailureLimiter* login_limiter_;
};

// Emails compare case-insensitively: they are stored and looked up lower-cased.
std::string NormalizeEmail(std::string_view email);

}  // namespace tfzo

#endif  // TFZO_SERVICE_ACCOUNT_SERVICE_H_
