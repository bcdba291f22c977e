#include "service/credential_service.h"

#include <fmt/format.h>

#include "core/digest.h"
#include "service/account_service.h"
#include "service/mail_content.h"
#include "service/password_check.h"
#include "service/validation.h"

namespace tfzo {
namespace {

Status InvalidToken() {
  return Status(StatusCode::kInvalidToken,
                "token: this link is unknown, was already used or has expired; ask for a new "
                "one");
}

}  // namespace

CredentialService::CredentialService(ServiceDeps deps, const PasswordHasher& hasher,
                                     Limiters limiters, TwoFactorService* two_factor)
    : deps_(deps), hasher_(hasher), limiters_(limiters), two_factor_(two_factor) {}

Status CredentialService::Throttle(FailureLimiter* limiter, const std::string& subject,
                                   bool count) {
  if (limiter == nullptr) return Status::Ok();
  const auto wait = limiter->RetryAfter(subject);
  if (wait.count() > 0) {
    return RateLimited(
        fmt::format("Too many password resets: try again in {} minutes.", (wait.count() + 59) / 60),
        static_cast<int>(wait.count()));
  }
  if (count) limiter->RecordFailure(subject);
  return Status::Ok();
}

// A notice to the account's address: what happened, when, from which address, and a link to
// the console's security page.
Status CredentialService::CheckPassword(const AccountRecord& account, const Secret& password,
                                        const std::string& ip, std::string_view field) const {
  return PasswordCheck{hasher_, limiters_.password_email, limiters_.password_address}.Check(
      account, password, ip, field);
}

MailMessage CredentialService::Notice(const std::string& email, const char* subject,
                                      const char* what, const std::string& ip, Time at) const {
  return ComposeMail(
      email,
      MailContent{.subject = subject,
                  .paragraphs = {fmt::format("{} on your 2501 Accounts account {}.", what, email),
                                 "If that was not you, reset your password now (\"Forgot "
                                 "password?\" on the sign-in page) and review your sessions "
                                 "and API keys."},
                  .facts = {{"When", FormatRfc3339(at)}, {"From address", ip}},
                  .action = "Review your security settings",
                  .url = deps_.console_url + "/#/security"});
}

Status CredentialService::ChangePassword(const Caller& caller, std::string_view session_token,
                                         const Secret& current, const Secret& new_password) {
  RETURN_IF_ERROR(CheckNewPassword(new_password, "new_password"));
  ASSIGN_OR_RETURN(const AccountRecord account, deps_.store.FindAccount(caller.account_id));
  RETURN_IF_ERROR(CheckPassword(account, current, caller.ip, "current_password"));
  ASSIGN_OR_RETURN(std::string hash, hasher_.Hash(new_password));
  EventRecord event = deps_.Event("account.password_changed", caller, account.id);
  event.mails.push_back(Notice(account.email, "Your 2501 Accounts password was changed",
                               "The password was changed", caller.ip, event.at));
  return deps_.store.SetPassword(account.id, hash, Sha256(session_token), event);
}

Status CredentialService::ForgotPassword(std::string_view email, const std::string& ip) {
  if (email.empty() || email.size() > 254) {
    return InvalidRequest("email: must be an e-mail address (at most 254 characters)");
  }
  const std::string address = NormalizeEmail(email);
  RETURN_IF_ERROR(Throttle(limiters_.reset_client, ip, false));
  RETURN_IF_ERROR(Throttle(limiters_.reset_email, address, true));
  RETURN_IF_ERROR(Throttle(limiters_.reset_client, ip, true));
  auto found = deps_.store.FindAccountByEmail(address);
  if (!found.ok() && found.status().code() != StatusCode::kNotFound) return found.status();
  // The addresses nobody can type (a deleted, released or service account's) are nobody's
  // inbox: asked for, they are answered as unknown, and no link is made for them.
  if (found.ok() && !CheckEmail("email", found->email).ok()) found = NotFound("no such account");
  // Whoever asked is unknown: no actor. Without an account the event names none, and nobody's
  // audit log shows it; it is written all the same, so both answers cost one write.
  const std::string target = found.ok() ? found->id : "";
  EventRecord event = deps_.Event("account.password_reset_requested", {"", ip}, target);
  if (!found.ok()) return deps_.store.AppendEvent(event);

  const Secret token(NewToken(deps_.random, 32));
  const Time now = event.at;
  event.mails.push_back(ComposeMail(
      found->email,
      MailContent{.subject = "Reset your 2501 Accounts password",
                  .paragraphs = {fmt::format("Someone asked to reset the password of the 2501 "
                                             "Accounts account {}. Follow the link below to set "
                                             "a new one: every session of the account then ends.",
                                             found->email),
                                 "The link works once, for 1 hour. If you did not ask for it, "
                                 "ignore this mail: your password stays as it is."},
                  .facts = {{"When", FormatRfc3339(now)}, {"From address", ip}},
                  .action = "Set a new password",
                  .url = deps_.console_url + "/#/reset?token=" + token.reveal()}));
  return deps_.store.CreateToken(TokenRecord{.digest = Sha256(token.reveal()),
                                             .purpose = TokenRecord::kResetPassword,
                                             .account_id = found->id,
                                             .email = found->email,
                                             .created_at = now,
                                             .expires_at = now + kResetLifetime},
                                 event);
}

Status CredentialService::ResetPassword(std::string_view token, const Secret& new_password,
                                        const std::string& ip) {
  RETURN_IF_ERROR(Throttle(limiters_.reset_client, ip, false));
  const auto refuse = [&] {
    if (limiters_.reset_client != nullptr) limiters_.reset_client->RecordFailure(ip);
    return InvalidToken();
  };
  if (token.empty() || token.size() > 64) return refuse();
  RETURN_IF_ERROR(CheckNewPassword(new_password, "new_password"));
  const Digest digest = Sha256(token);
  auto found = deps_.store.FindToken(digest);
  if (!found.ok() && found.status().code() != StatusCode::kNotFound) return found.status();
  const Time now = deps_.clock.Now();
  // Checked here before the hash is paid for; the store checks again as it uses the token.
  if (!found.ok() || found->purpose != TokenRecord::kResetPassword || found->used_at ||
      found->expires_at <= now) {
    return refuse();
  }
  ASSIGN_OR_RETURN(std::string hash, hasher_.Hash(new_password));
  EventRecord event =
      deps_.Event("account.password_reset", {found->account_id, ip}, found->account_id);
  event.mails.push_back(Notice(found->email, "Your 2501 Accounts password was reset",
                               "The password was reset through a link mailed to this address", ip,
                               event.at));
  auto reset = deps_.store.ResetPassword(digest, hash, now, event);
  if (reset.status().code() == StatusCode::kInvalidToken) return refuse();
  RETURN_IF_ERROR(reset.status());
  // Whoever reset the password proved they receive the address's mail: the sign-in block a
  // guesser may have put on it ends.
  if (limiters_.password_email != nullptr) limiters_.password_email->Reset(reset->email);
  return Status::Ok();
}

Result<CredentialService::SessionList> CredentialService::ListSessions(
    const Caller& caller, std::string_view session_token) {
  SessionList out;
  ASSIGN_OR_RETURN(out.sessions, deps_.store.ListSessions(caller.account_id));
  auto current = deps_.store.FindSession(Sha256(session_token));
  if (current.ok()) out.current_id = current->id;
  return out;
}

Status CredentialService::EndSession(const Caller& caller, std::string_view session_id) {
  const Status ended =
      deps_.store.EndSession(caller.account_id, session_id,
                             deps_.Event("session.revoked", caller, std::string(session_id)));
  if (ended.code() == StatusCode::kNotFound) return NotFound("No such session.");
  return ended;
}

Status CredentialService::EndOtherSessions(const Caller& caller, std::string_view session_token) {
  return deps_.store.EndOtherSessions(
      caller.account_id, Sha256(session_token),
      deps_.Event("session.revoked_others", caller, caller.account_id));
}

Status CredentialService::DeleteAccount(const Caller& caller, const Secret& password,
                                        const std::optional<std::string>& code) {
  ASSIGN_OR_RETURN(const AccountRecord account, deps_.store.FindAccount(caller.account_id));
  RETURN_IF_ERROR(CheckPassword(account, password, caller.ip, "password"));
  if (account.two_factor && two_factor_ != nullptr) {
    if (!code) return InvalidRequest("code: two-factor sign-in is on: give a code from your app");
    RETURN_IF_ERROR(two_factor_->ConfirmCode(caller, *code));
  }
  EventRecord event = deps_.Event("account.deleted", caller, account.id);
  if (!IsReleasedEmail(account.email)) {
    event.mails.push_back(ComposeMail(
        account.email,
        MailContent{.subject = "Your 2501 Accounts account was deleted",
                    .paragraphs = {fmt::format("The 2501 Accounts account {} was deleted: its "
                                               "API keys were revoked and its sessions ended. "
                                               "The address can be used to sign up again.",
                                               account.email)},
                    .facts = {{"When", FormatRfc3339(event.at)}, {"From address", caller.ip}}}));
  }
  return deps_.store.DeleteAccount(account.id, event.at, event);
}

}  // namespace tfzo
