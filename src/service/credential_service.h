#ifndef TFZO_SERVICE_CREDENTIAL_SERVICE_H_
#define TFZO_SERVICE_CREDENTIAL_SERVICE_H_

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "auth/failure_limiter.h"
#include "auth/password_hasher.h"
#include "core/secret.h"
#include "service/context.h"
#include "service/two_factor_service.h"

namespace tfzo {

// CredentialService's throttles; each may be null (no limit). The wiring shares the sign-in
// limiters (AccountService) as `password_*`, so that a wrong current password counts as a
// failed sign-in and a reset clears the address's block; `reset_client` and `reset_email` are
// built with CredentialService's constants.
struct CredentialLimiters {
  FailureLimiter* password_email = nullptr;    // failed sign-ins per account address
  FailureLimiter* password_address = nullptr;  // failed sign-ins per client address
  FailureLimiter* reset_client = nullptr;      // reset requests and bad reset tokens per client
  FailureLimiter* reset_email = nullptr;       // reset requests per e-mail address
};

// A person's own credentials (docs/spec/API.md "Console: your credentials"): changing the
// password, resetting it through a mailed link, the account's sessions, and deleting the
// account. A session's token is its credential; the services see it only to tell which
// session is the caller's. Every password is hashed through the PasswordHasher (the bounded
// pool). Holds references only; thread-safe.
class CredentialService {
 public:
  // docs/spec/API.md: a reset link works once, for one hour.
  static constexpr std::chrono::hours kResetLifetime{1};
  // Reset requests per e-mail address, and reset requests plus bad reset tokens per client
  // address, within kResetWindow; then 429 until the window passes.
  static constexpr int kResetsPerEmail = 5;
  static constexpr int kResetsPerClient = 20;
  static constexpr std::chrono::hours kResetWindow{1};

  using Limiters = CredentialLimiters;

  // A session as the account's owner sees it.
  struct SessionList {
    std::vector<SessionRecord> sessions;  // most recently seen first
    std::string current_id;               // the caller's own
  };

  // `two_factor` (may be null: no second factor is asked) confirms deletions of accounts that
  // have two-factor sign-in on.
  CredentialService(ServiceDeps deps, const PasswordHasher& hasher, Limiters limiters = {},
                    TwoFactorService* two_factor = nullptr);

  // POST /api/account/password: every other session of the account ends, the one of
  // `session_token` stays; the account is mailed a notice. kInvalidCredentials (counted as a
  // failed sign-in) for a wrong `current`; kWeakPassword; kRateLimited.
  Status ChangePassword(const Caller& caller, std::string_view session_token, const Secret& current,
                        const Secret& new_password);
  // POST /api/password/forgot: the same answer (Ok) whether or not an account has `email`;
  // when one has, it is mailed a reset link. Both cases write one audit event, so they cost
  // the same. kRateLimited past the limits per client and per e-mail.
  Status ForgotPassword(std::string_view email, const std::string& ip);
  // POST /api/password/reset: sets the password of the token's account, ends every session of
  // it and clears the sign-in block of its address. kInvalidToken when the token is unknown,
  // used or expired, alike (counted per client); kWeakPassword; kRateLimited.
  Status ResetPassword(std::string_view token, const Secret& new_password, const std::string& ip);

  Result<SessionList> ListSessions(const Caller& caller, std::string_view session_token);
  // kNotFound when the account has no session of that id.
  Status EndSession(const Caller& caller, std::string_view session_id);
  Status EndOtherSessions(const Caller& caller, std::string_view session_token);

  // DELETE /api/account (Store::DeleteAccount). kInvalidCredentials for a wrong password
  // (counted as a failed sign-in); kConflict while the account is the last owner of an
  // organization that has other members, the message naming its handle. With two-factor
  // sign-in on, `code` (TOTP or recovery code) is needed too: kInvalidRequest without one,
  // TwoFactorService::ConfirmCode's refusals when wrong.
  Status DeleteAccount(const Caller& caller, const Secret& password,
                       const std::optional<std::string>& code = std::nullopt);

 private:
  // 429 when `limiter` blocks `subject`; otherwise counts one more when `count`.
  static Status Throttle(FailureLimiter* limiter, const std::string& subject, bool count);
  // PasswordCheck with the sign-in limiters.
  Status CheckPassword(const AccountRecord& account, const Secret& password, const std::string& ip,
                       std::string_view field) const;
  MailMessage Notice(const std::string& email, const char* subject, const char* what,
                     const std::string& ip, Time at) const;

  ServiceDeps deps_;
  const PasswordHasher& hasher_;
  Limiters limiters_;
  TwoFactorService* two_factor_;
};

}  // namespace tfzo

#endif  // TFZO_SERVICE_CREDENTIAL_SERVICE_H_
