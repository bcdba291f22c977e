#ifndef TFZO_SERVICE_EMAIL_SERVICE_H_
#define TFZO_SERVICE_EMAIL_SERVICE_H_

#include <chrono>
#include <string>
#include <string_view>

#include "auth/failure_limiter.h"
#include "auth/password_hasher.h"
#include "core/secret.h"
#include "service/context.h"

namespace tfzo {

// EmailService's throttles; each may be null (no limit). The wiring builds `account` and
// `address` with EmailService's constants, and shares the sign-in limiters (AccountService)
// as `password_*`, so that checking a password here does not add to what a guesser may try.
struct EmailLimiters {
  FailureLimiter* account = nullptr;           // links mailed for one account
  FailureLimiter* address = nullptr;           // links mailed to one address
  FailureLimiter* password_email = nullptr;    // failed password checks per account address
  FailureLimiter* password_address = nullptr;  // failed password checks per client address
};

// Verified addresses (docs/spec/API.md "E-mail verification"): the links that prove an
// address (a single-use token, kLinkLifetime, stored as its SHA-256 only, mailed with the
// audit event of the change that sends it), following them, sending new ones, and changing an
// account's address, which takes effect once the new address is proven. The rule between
// accounts: an address is an account's for good once verified; an account that has one
// without having verified it loses it to whoever proves it (a sign-up through a claim link, or
// a verified change of address). Holds references only; thread-safe.
class EmailService {
 public:
  // docs/spec/API.md: a link works once, for 24 hours.
  static constexpr std::chrono::hours kLinkLifetime{24};
  // Links mailed (verification, address change, claim) per account and per address within
  // kLinkWindow, then 429 until the window passes.
  static constexpr int kLinksPerAccount = 5;
  static constexpr int kLinksPerAddress = 5;
  static constexpr std::chrono::hours kLinkWindow{1};

  using Limiters = EmailLimiters;

  // A new link: the token to store (its digest) and the mail that carries it.
  struct Link {
    TokenRecord token;
    MailMessage mail;
  };

  EmailService(ServiceDeps deps, const PasswordHasher& hasher, Limiters limiters = {});

  // The verification link of a new account's address (sign-up).
  Link SignupLink(const AccountRecord& account, const std::string& ip);
  // Mails `email`, held by `holder` without having been verified, a link to sign up with it
  // (a claim), unless the address had its kLinksPerAddress already. Audited as
  // account.email_verification_sent, with the holder as target and no actor.
  Status SendClaim(const AccountRecord& holder, const std::string& ip);

  // POST /api/email/verify: the token is the credential. kInvalidToken when it is unknown,
  // used or expired, alike; kEmailTaken when another account verified the address first.
  Result<AccountRecord> Verify(std::string_view token, const std::string& ip);
  // POST /api/email/verify/resend: a new link for the pending address, else for the unverified
  // one. kConflict when there is nothing to verify; kRateLimited past the limits.
  Status Resend(const Caller& caller);
  // PATCH /api/account {"email", "password"}: the account keeps its address until the link
  // mailed to `email` is followed. kInvalidCredentials for a wrong password; kEmailTaken when
  // another account has `email` verified; kRateLimited past the limits.
  Result<AccountRecord> ChangeEmail(const Caller& caller, std::string_view email,
                                    const Secret& password);

 private:
  // What a link is for: it decides the token's purpose, the mail's words and the page it opens.
  enum class LinkKind { kVerify, kChange, kClaim };
  Link NewLink(LinkKind kind, const std::string& account_id, const std::string& email,
               const std::string& ip);
  // 429 when a link for `account_id` (may be "") or to `email` is one too many; else counts it.
  Status CountLink(const std::string& account_id, const std::string& email);
  Status CheckPassword(const AccountRecord& account, const Secret& password, const std::string& ip);

  ServiceDeps deps_;
  const PasswordHasher& hasher_;
  Limiters limiters_;
};

}  // namespace tfzo

#endif  // TFZO_SERVICE_EMAIL_SERVICE_H_
