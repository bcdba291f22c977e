#include "service/email_service.h"

#include <fmt/format.h>

#include "core/digest.h"
#include "service/mail_content.h"
#include "service/password_check.h"
#include "service/validation.h"

namespace tfzo {
namespace {

Status TooMany(std::string_view what, std::chrono::seconds wait) {
  return RateLimited(fmt::format("{}: try again in {} minutes.", what, (wait.count() + 59) / 60),
                     static_cast<int>(wait.count()));
}

Status InvalidToken() {
  return Status(StatusCode::kInvalidToken,
                "token: this link is unknown, was already used or has expired; ask for a new "
                "one");
}

// The token a link carries: 32 random bytes, base64url (43 characters).
bool LooksLikeToken(std::string_view token) {
  if (token.size() != 43) return false;
  for (char c : token) {
    const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                    c == '-' || c == '_';
    if (!ok) return false;
  }
  return true;
}

MailContent LinkContent(bool claim, bool change, const std::string& email) {
  MailContent m;
  if (claim) {
    m.subject = "Sign up with your address on 2501 Accounts";
    m.paragraphs = {
        fmt::format("Someone tried to sign up on 2501 Accounts with {}, which another account "
                    "uses without having verified it.",
                    email),
        "If that was you, follow the link below to sign up with this address: it becomes "
        "yours, and the other account loses it. If the other account is yours, sign in to it "
        "instead and verify the address from there."};
    m.action = "Sign up with this address";
  } else if (change) {
    m.subject = "Confirm your new address for 2501 Accounts";
    m.paragraphs = {
        fmt::format("You asked to change the address of your 2501 Accounts account "
                    "to {}. Follow the link below to confirm it; your account keeps "
                    "its old address until then.",
                    email)};
    m.action = "Confirm your new address";
  } else {
    m.subject = "Verify your address for 2501 Accounts";
    m.paragraphs = {fmt::format("An account on 2501 Accounts was signed up with {}. If it is "
                                "yours, follow the link below to verify the address; until then "
                                "you can use the account and its keys, but you cannot accept "
                                "invitations to organizations.",
                                email),
                    "If you did not sign up, do not follow the link: it would give that account "
                    "your address."};
    m.action = "Verify your address";
  }
  m.paragraphs.push_back(
      "The link works once, for 24 hours. If you did not ask for it, ignore this mail.");
  return m;
}

// To the address an account is leaving: it keeps working until the new one is confirmed.
MailMessage ChangeNotice(const AccountRecord& account, const std::string& to, Time at,
                         const std::string& ip) {
  return ComposeMail(
      account.email,
      MailContent{.subject = "A change of your address on 2501 Accounts was requested",
                  .paragraphs = {fmt::format("Someone signed in to your 2501 Accounts account "
                                             "asked to change its address to {}. This address "
                                             "stays the account's until the link sent there is "
                                             "followed.",
                                             to),
                                 "If that was not you, someone knows your password: sign in "
                                 "and check your account."},
                  .facts = {{"When", FormatRfc3339(at)}, {"From address", ip}}});
}

}  // namespace

EmailService::EmailService(ServiceDeps deps, const PasswordHasher& hasher, Limiters limiters)
    : deps_(deps), hasher_(hasher), limiters_(limiters) {}

EmailService::Link EmailService::NewLink(LinkKind kind, const std::string& account_id,
                                         const std::string& email, const std::string& ip) {
  const Secret token(NewToken(deps_.random, 32));
  const Time now = deps_.clock.Now();
  const bool claim = kind == LinkKind::kClaim;
  MailContent content = LinkContent(claim, kind == LinkKind::kChange, email);
  content.facts = {{"When", FormatRfc3339(now)}, {"From address", ip}};
  content.url =
      deps_.console_url + (claim ? "/#/signup?claim=" : "/#/verify?token=") + token.reveal();
  return Link{
      .token = TokenRecord{.digest = Sha256(token.reveal()),
                           .purpose = claim ? TokenRecord::kClaimEmail : TokenRecord::kVerifyEmail,
                           .account_id = account_id,
                           .email = email,
                           .created_at = now,
                           .expires_at = now + kLinkLifetime},
      .mail = ComposeMail(email, content)};
}

Status EmailService::CountLink(const std::string& account_id, const std::string& email) {
  for (auto [limiter, subject] :
       {std::pair(limiters_.account, &account_id), std::pair(limiters_.address, &email)}) {
    if (limiter == nullptr || subject->empty()) continue;
    const auto wait = limiter->RetryAfter(*subject);
    if (wait.count() > 0) return TooMany("Too many links mailed", wait);
  }
  if (limiters_.account != nullptr && !account_id.empty()) {
    limiters_.account->RecordFailure(account_id);
  }
  if (limiters_.address != nullptr) limiters_.address->RecordFailure(email);
  return Status::Ok();
}

EmailService::Link EmailService::SignupLink(const AccountRecord& account, const std::string& ip) {
  return NewLink(LinkKind::kVerify, account.id, account.email, ip);
}

Status EmailService::SendClaim(const AccountRecord& holder, const std::string& ip) {
  RETURN_IF_ERROR(CountLink("", holder.email));
  Link link = NewLink(LinkKind::kClaim, holder.id, holder.email, ip);
  EventRecord event = deps_.Event("account.email_verification_sent", {"", ip}, holder.id);
  event.mails.push_back(std::move(link.mail));
  return deps_.store.CreateToken(link.token, event);
}

Result<AccountRecord> EmailService::Verify(std::string_view token, const std::string& ip) {
  if (!LooksLikeToken(token)) return InvalidToken();
  const Digest digest = Sha256(token);
  auto found = deps_.store.FindToken(digest);
  if (!found.ok()) {
    return found.status().code() == StatusCode::kNotFound ? InvalidToken() : found.status();
  }
  // The event is built from this read; the store checks the token again as it uses it.
  const Caller proven{found->account_id, ip};
  auto verified = deps_.store.UseVerifyToken(
      digest, deps_.clock.Now(), deps_.Event("account.email_verified", proven, found->account_id));
  if (verified.status().code() == StatusCode::kInvalidToken) return InvalidToken();
  if (verified.status().code() == StatusCode::kEmailTaken) {
    return Status(StatusCode::kEmailTaken,
                  "email: another account verified this address first; it cannot be yours here");
  }
  return verified;
}

Status EmailService::Resend(const Caller& caller) {
  ASSIGN_OR_RETURN(AccountRecord account, deps_.store.FindAccount(caller.account_id));
  std::string address;
  if (account.pending_email) {
    address = *account.pending_email;
  } else if (IsReleasedEmail(account.email)) {
    return Conflict("email: this account has no address any more; set a new one");
  } else if (!account.email_verified_at) {
    address = account.email;
  } else {
    return Conflict("email: your address is already verified");
  }
  RETURN_IF_ERROR(CountLink(account.id, address));
  Link link = NewLink(account.pending_email ? LinkKind::kChange : LinkKind::kVerify, account.id,
                      address, caller.ip);
  EventRecord event = deps_.Event("account.email_verification_sent", caller, account.id);
  event.mails.push_back(std::move(link.mail));
  return deps_.store.CreateToken(link.token, event);
}

Status EmailService::CheckPassword(const AccountRecord& account, const Secret& password,
                                   const std::string& ip) {
  return PasswordCheck{hasher_, limiters_.password_email, limiters_.password_address}.Check(
      account, password, ip);
}

Result<AccountRecord> EmailService::ChangeEmail(const Caller& caller, std::string_view email,
                                                const Secret& password) {
  ASSIGN_OR_RETURN(const std::string address, CheckEmail("email", email));
  ASSIGN_OR_RETURN(const AccountRecord account, deps_.store.FindAccount(caller.account_id));
  RETURN_IF_ERROR(CheckPassword(account, password, caller.ip));
  if (address == account.email) {
    return InvalidRequest(account.email_verified_at
                              ? "email: this is your address already"
                              : "email: this is your address already; ask for a new link to "
                                "verify it");
  }
  RETURN_IF_ERROR(CountLink(account.id, address));
  Link link = NewLink(LinkKind::kChange, account.id, address, caller.ip);
  EventRecord event = deps_.Event("account.email_change_requested", caller, account.id);
  event.mails.push_back(std::move(link.mail));
  if (!IsReleasedEmail(account.email)) {
    event.mails.push_back(ChangeNotice(account, address, event.at, caller.ip));
  }
  const Status requested = deps_.store.RequestEmailChange(link.token, event);
  if (requested.code() == StatusCode::kEmailTaken) {
    return Status(StatusCode::kEmailTaken, "email: another account has this address, verified");
  }
  RETURN_IF_ERROR(requested);
  return deps_.store.FindAccount(account.id);
}

}  // namespace tfzo
