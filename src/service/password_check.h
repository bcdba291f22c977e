#ifndef TFZO_SERVICE_PASSWORD_CHECK_H_
#define TFZO_SERVICE_PASSWORD_CHECK_H_

#include <string>

#include "auth/failure_limiter.h"
#include "auth/password_hasher.h"
#include "core/secret.h"
#include "model/records.h"

namespace tfzo {

// The check of a signed-in account's password before a change it guards (a new address, a new
// password, the account's deletion). It counts against the sign-in limits (the wiring passes
// AccountService's limiters: per account address and per client address), so that a stolen
// session cannot guess the password faster than a sign-in could. A value over references; the
// hasher and limiters (either may be null: no limit) outlive it. Thread-safe.
struct PasswordCheck {
  const PasswordHasher& hasher;
  FailureLimiter* per_email = nullptr;
  FailureLimiter* per_address = nullptr;

  // Ok when `password` is the account's. kInvalidCredentials ("`field`: this is not your
  // password") counted as a failed sign-in; kRateLimited while either limit blocks;
  // kUnavailable when the hashing pool is full.
  Status Check(const AccountRecord& account, const Secret& password, const std::string& ip,
               std::string_view field = "password") const;
};

// A new password's rule: 8 to 1024 characters (code points), else kWeakPassword naming `field`.
Status CheckNewPassword(const Secret& password, std::string_view field = "password");

}  // namespace tfzo

#endif  // TFZO_SERVICE_PASSWORD_CHECK_H_
