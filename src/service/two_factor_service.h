#ifndef TFZO_SERVICE_TWO_FACTOR_SERVICE_H_
#define TFZO_SERVICE_TWO_FACTOR_SERVICE_H_

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "auth/failure_limiter.h"
#include "auth/password_hasher.h"
#include "core/secret.h"
#include "service/context.h"

namespace tfzo {

// TwoFactorService's throttles on wrong codes; each may be null (no limit).
struct TwoFactorLimiters {
  FailureLimiter* account = nullptr;  // wrong codes (and disable's passwords) per account
  FailureLimiter* address = nullptr;  // wrong codes per client address
};

// Two-factor sign-in with TOTP (docs/spec/API.md "Two-factor sign-in"): setup (a pending
// secret, its otpauth:// URI and QR code), enabling with a first code (and 10 single-use
// recovery codes, stored as SHA-256 digests), disabling with the password and a code, and the
// second step of a sign-in: a challenge (a random token stored by digest in account_tokens,
// single-use, kChallengeLifetime) that a TOTP or recovery code completes. A TOTP step is
// accepted once (Store::UseSecondFactor compares and sets the last one used). Wrong codes are
// throttled per account and per address, before any check, and audited (login.2fa_failed).
// Holds references only; thread-safe.
class TwoFactorService {
 public:
  static constexpr std::chrono::minutes kChallengeLifetime{5};
  static constexpr int kRecoveryCodes = 10;
  // Like passwords' (AccountService): 5 wrong codes per account within 15 minutes, 50 per
  // address; then 429 until the window passes.
  static constexpr int kFailureLimit = 5;
  static constexpr int kAddressFailureLimit = 50;
  static constexpr std::chrono::minutes kFailureWindow{15};
  static constexpr char kIssuer[] = "2501 Accounts";

  using Limiters = TwoFactorLimiters;

  struct Setup {
    Secret secret;  // base32, shown once to be typed into an app
    std::string otpauth_uri;
    std::string qr_svg;
  };

  TwoFactorService(ServiceDeps deps, const PasswordHasher& hasher, Limiters limiters = {});

  // A new pending secret for the caller (replacing one not yet enabled). kConflict when
  // two-factor is on.
  Result<Setup> StartSetup(const Caller& caller);
  // Turns two-factor on once `code` is right for the pending secret (kInvalidCredentials
  // otherwise; kConflict when there is no pending secret or it is on): the recovery codes,
  // shown this once.
  Result<std::vector<Secret>> Enable(const Caller& caller, std::string_view code);
  // Turns it off with the account's password and a code (TOTP or recovery code).
  Status Disable(const Caller& caller, const Secret& password, std::string_view code);

  // Uses `code` (TOTP or recovery code, each once) to confirm a sensitive action of the
  // caller, whose password was right: kInvalidCredentials when wrong or replayed (counted
  // like a wrong sign-in code), kRateLimited past the limits.
  Status ConfirmCode(const Caller& caller, std::string_view code);

  // The sign-in's second step for `account`, whose password was right: a new challenge.
  Result<Secret> Challenge(const AccountRecord& account, const std::string& ip);
  // The account whose `challenge` `code` completes (used up: kInvalidToken after); a wrong or
  // replayed code is kInvalidCredentials, and kRateLimited past the limits.
  Result<AccountRecord> Complete(std::string_view challenge, std::string_view code,
                                 const std::string& ip);

 private:
  // What `code` offers for the account: a TOTP step within the drift (6 digits) or a recovery
  // code; kInvalidCredentials when it matches neither form or no step.
  Result<SecondFactor> Factor(std::string_view account_id, std::string_view code, Time now);
  // 429 when the account or the address is blocked.
  Status CheckLimits(const std::string& account_id, const std::string& ip);
  void RecordFailure(const std::string& account_id, const std::string& ip);

  ServiceDeps deps_;
  const PasswordHasher& hasher_;
  Limiters limiters_;
};

}  // namespace tfzo

#endif  // TFZO_SERVICE_TWO_FACTOR_SERVICE_H_
