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
#include "service/email_service.h"
#include "service/two_factor_service.h"

namespace tfzo {

// AccountService's throttles; each may be null (no limit). The wiring builds them with
// AccountService's constants. (Outside the class: a default argument of its constructor.)
struct AccountLimiters {
  FailureLimiter* login_email = nullptr;     // failed logins per email
  FailureLimiter* login_address = nullptr;   // failed logins per client address
  FailureLimiter* signup_address = nullptr;  // sign-ups per client address
};

// Sign-up, login, console sessions and the account's audit log. Session tokens are random
// 256-bit values; only their SHA-256 is stored. Idle sessions end after kSessionIdleTimeout.
// Sign-up and sign-in are throttled per email and per client address (Limiters), before any
// password is hashed; the hashing itself may answer kUnavailable when the server's hashing
// pool is full (PasswordHasher). Holds references only; thread-safe.
class AccountService {
 public:
  // docs/spec/API.md: idle sessions end after 12 hours.
  static constexpr std::chrono::hours kSessionIdleTimeout{12};
  // A session's last use is written at most this often (the idle clock's resolution).
  static constexpr std::chrono::minutes kSessionTouchInterval{1};
  // docs/spec/API.md: 5 failed logins for one email within 15 minutes, then 429 until the
  // window passes. The wiring builds `AccountLimiters::login_email` with these.
  static constexpr int kLoginFailureLimit = 5;
  static constexpr std::chrono::minutes kLoginFailureWindow{15};
  // docs/spec/API.md: 50 failed logins from one address (whatever the emails) within 15
  // minutes, then 429 for that address until the window passes (--signin-address-limit).
  static constexpr int kDefaultLoginAddressLimit = 50;
  static constexpr std::chrono::minutes kLoginAddressWindow{15};
  // docs/spec/API.md: 30 sign-ups from one address within an hour, then 429 for sign-ups from
  // it until the window passes (--signup-address-limit).
  static constexpr int kDefaultSignupAddressLimit = 30;
  static constexpr std::chrono::hours kSignupAddressWindow{1};

  using Limiters = AccountLimiters;

  // A new console session: the cookie value is `token` and is shown to nobody else. Or, from
  // Login for an account with two-factor sign-in on, no session yet (token and csrf_token
  // empty) but the challenge a code completes (LoginTwoFactor).
  struct SessionGrant {
    AccountRecord account;
    Secret token;
    std::string csrf_token;
    std::optional<Secret> two_factor_challenge{};
  };
  // An authenticated console request.
  struct SessionInfo {
    AccountRecord account;
    std::string csrf_token;
  };

  // A blocked email or address gets kRateLimited, even with the right password. `email`
  // makes the links that verify addresses.
  // `two_factor` (may be null: no account is asked for a code) makes Login's challenges.
  AccountService(ServiceDeps deps, const PasswordHasher& hasher, EmailService& email,
                 Limiters limiters = {}, TwoFactorService* two_factor = nullptr);

  // The new account's address is unverified, and a link to verify it is mailed with the
  // sign-up's audit event. With `claim_token` (from a claim link, EmailService::SendClaim) the
  // address is verified at once and taken from the account that had it unverified
  // (kInvalidToken when the token does not prove this address). Without one, an address that
  // an account has without having verified it answers kEmailTaken and mails the address a
  // claim link. kRateLimited when `ip` signed up too often; kUnavailable when the server is
  // busy hashing.
  // `user_agent` (the request's User-Agent, any bytes) is recorded, sanitized, with the session.
  Result<SessionGrant> Signup(std::string_view email, const Secret& password, std::string_view name,
                              const std::string& ip,
                              std::optional<std::string> claim_token = std::nullopt,
                              std::string_view user_agent = {});
  // kInvalidCredentials, audited as session.login_failed; kRateLimited when the email or `ip`
  // failed too often, audited as session.login_throttled once per block; both events name the
  // account (when the email has one) as their target and have no actor. kUnavailable when the
  // server is busy hashing. With two-factor sign-in on, a right password starts no session: the
  // grant holds a challenge instead.
  Result<SessionGrant> Login(std::string_view email, const Secret& password, const std::string& ip,
                             std::string_view user_agent = {});
  // The second step of a Login that answered a challenge: the session, once `code` (a TOTP or
  // recovery code) is right (TwoFactorService::Complete's refusals otherwise).
  Result<SessionGrant> LoginTwoFactor(std::string_view challenge, std::string_view code,
                                      const std::string& ip, std::string_view user_agent = {});
  // kUnauthenticated when the token is unknown or the session idled out.
  Result<SessionInfo> Authenticate(std::string_view token);
  Status Logout(std::string_view token);

  Result<std::vector<EventRecord>> ListEvents(const Caller& caller, int limit,
                                              std::optional<std::string> before);

 private:
  Result<SessionGrant> StartSession(AccountRecord account, const std::string& ip,
                                    std::string_view user_agent, std::string action);
  // Audits a refused login for `email` (its account as target, no actor).
  Status AuditAnonymousLogin(std::string action, const std::string& email, const std::string& ip);
  // Ok, or 429 when `limiter` (may be null) blocks `key`: "Too many failed sign-ins `whose`".
  // The first refusal of each block is audited, so a flood of them cannot fill the audit log.
  Status CheckLoginLimit(FailureLimiter* limiter, const std::string& key, std::string_view whose,
                         const std::string& email, const std::string& ip);

  // kEmailTaken for a sign-up with `email`, which an account has; mails a claim link when
  // that account has not verified it.
  Status EmailTaken(const std::string& email, const std::string& ip);

  ServiceDeps deps_;
  const PasswordHasher& hasher_;
  EmailService& email_;
  Limiters limiters_;
  TwoFactorService* two_factor_;
};

// Emails compare case-insensitively: they are stored and looked up lower-cased.
std::string NormalizeEmail(std::string_view email);

}  // namespace tfzo

#endif  // TFZO_SERVICE_ACCOUNT_SERVICE_H_
