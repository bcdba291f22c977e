#include "service/account_service.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

#include "core/digest.h"
#include "service/validation.h"

namespace tfzo {

std::string NormalizeEmail(std::string_view email) {
  std::string out(email);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

namespace {

Status CheckPassword(const Secret& password) {
  const size_t n = CodePoints(password.reveal());
  if (n < 8 || n > 1024) {
    return Status(StatusCode::kWeakPassword,
                  "password: must be at least 8 characters (and at most 1024)");
  }
  return Status::Ok();
}

}  // namespace

AccountService::AccountService(ServiceDeps deps, const PasswordHasher& hasher, EmailService& email,
                               Limiters limiters, TwoFactorService* two_factor)
    : deps_(deps), hasher_(hasher), email_(email), limiters_(limiters), two_factor_(two_factor) {}

namespace {

// 429: "`what`: try again in N minutes.", with Retry-After.
Status TooMany(std::string_view what, std::chrono::seconds wait) {
  return RateLimited(fmt::format("{}: try again in {} minutes.", what, (wait.count() + 59) / 60),
                     static_cast<int>(wait.count()));
}

}  // namespace

Result<AccountService::SessionGrant> AccountService::Signup(
    std::string_view email, const Secret& password, std::string_view name, const std::string& ip,
    std::optional<std::string> claim_token, std::string_view user_agent) {
  ASSIGN_OR_RETURN(std::string checked_email, CheckEmail("email", email));
  RETURN_IF_ERROR(CheckPassword(password));
  ASSIGN_OR_RETURN(std::string checked_name, CheckText("name", name, 0, 100));
  if (limiters_.signup_address != nullptr) {
    const auto wait = limiters_.signup_address->RetryAfter(ip);
    if (wait.count() > 0) return TooMany("Too many sign-ups from this address", wait);
  }
  ASSIGN_OR_RETURN(std::string hash, hasher_.Hash(password));
  // Every sign-up that cost a hash counts, taken emails too.
  if (limiters_.signup_address != nullptr) limiters_.signup_address->RecordFailure(ip);
  AccountRecord account{.id = NewId("acc", deps_.random),
                        .email = std::move(checked_email),
                        .name = std::move(checked_name),
                        .password_hash = std::move(hash),
                        .created_at = deps_.clock.Now()};
  Caller caller{account.id, ip};
  EventRecord event = deps_.Event("account.signup", caller, account.id);
  Status created;
  if (claim_token) {
    created = deps_.store.CreateAccountClaiming(account, Sha256(*claim_token), event);
    if (created.code() == StatusCode::kInvalidToken) {
      return Status(StatusCode::kInvalidToken,
                    "claim_token: this link is unknown, was already used, has expired or is for "
                    "another address; sign up again to get a new one");
    }
    account.email_verified_at = account.created_at;
  } else {
    EmailService::Link link = email_.SignupLink(account, ip);
    event.mails.push_back(std::move(link.mail));
    created = deps_.store.CreateAccountWithToken(account, link.token, event);
  }
  if (created.code() == StatusCode::kEmailTaken) return EmailTaken(account.email, ip);
  RETURN_IF_ERROR(created);
  return StartSession(std::move(account), ip, user_agent, "session.login");
}

Status AccountService::EmailTaken(const std::string& email, const std::string& ip) {
  const Status verified(StatusCode::kEmailTaken,
                        "email: an account with this email already exists; sign in instead");
  auto holder = deps_.store.FindAccountByEmail(email);
  if (!holder.ok() || holder->email_verified_at) return verified;  // gone since: still taken
  // An address nobody proved is not taken for good: whoever receives its mail may claim it.
  const Status mailed = email_.SendClaim(*holder, ip);
  if (!mailed.ok() && mailed.code() != StatusCode::kRateLimited) return mailed;
  return Status(StatusCode::kEmailTaken,
                fmt::format("email: an account uses this address without having verified it. If "
                            "the address is yours, a link to sign up with it was mailed to it "
                            "(at most {} an hour): follow it.",
                            EmailService::kLinksPerAddress));
}

Status AccountService::AuditAnonymousLogin(std::string action, const std::string& email,
                                           const std::string& ip) {
  // Whoever tried is unknown: no actor. The account the email names, if any, is the target,
  // so its owner sees the attempt in their audit log.
  std::string target;
  auto found = deps_.store.FindAccountByEmail(email);
  if (found.ok()) {
    target = found->id;
  } else if (found.status().code() != StatusCode::kNotFound) {
    return found.status();
  }
  return deps_.store.AppendEvent(deps_.Event(std::move(action), {"", ip}, std::move(target)));
}

Status AccountService::CheckLoginLimit(FailureLimiter* limiter, const std::string& key,
                                       std::string_view whose, const std::string& email,
                                       const std::string& ip) {
  if (limiter == nullptr) return Status::Ok();
  bool first = false;
  const auto wait = limiter->Refuse(key, first);
  if (wait.count() <= 0) return Status::Ok();
  if (first) RETURN_IF_ERROR(AuditAnonymousLogin("session.login_throttled", email, ip));
  return TooMany(fmt::format("Too many failed sign-ins {}", whose), wait);
}

Result<AccountService::SessionGrant> AccountService::Login(std::string_view email,
                                                           const Secret& password,
                                                           const std::string& ip,
                                                           std::string_view user_agent) {
  const Status wrong(StatusCode::kInvalidCredentials, "The email or password is not right.");
  const std::string normalized = NormalizeEmail(email);
  // Refused before any store read or hash: a blocked address or email costs nothing.
  RETURN_IF_ERROR(
      CheckLoginLimit(limiters_.login_address, ip, "from this address", normalized, ip));
  RETURN_IF_ERROR(
      CheckLoginLimit(limiters_.login_email, normalized, "for this email", normalized, ip));
  auto record_failure = [&] {
    if (limiters_.login_email != nullptr) limiters_.login_email->RecordFailure(normalized);
    if (limiters_.login_address != nullptr) limiters_.login_address->RecordFailure(ip);
  };
  auto found = deps_.store.FindAccountByEmail(normalized);
  if (!found.ok()) {
    if (found.status().code() != StatusCode::kNotFound) return found.status();
    RETURN_IF_ERROR(hasher_.VerifyNothing(password));  // busy: refused, not a failure
    record_failure();
    RETURN_IF_ERROR(deps_.store.AppendEvent(deps_.Event("session.login_failed", {"", ip}, "")));
    return wrong;
  }
  AccountRecord account = std::move(found).value();
  ASSIGN_OR_RETURN(const bool matches, hasher_.Verify(account.password_hash, password));
  if (!matches) {
    record_failure();
    // The account is the target of someone's failed attempt, not its actor.
    RETURN_IF_ERROR(
        deps_.store.AppendEvent(deps_.Event("session.login_failed", {"", ip}, account.id)));
    return wrong;
  }
  // A success clears the email's count, not the address's: a guesser who also owns an
  // account could otherwise reset their own limit between guesses.
  if (limiters_.login_email != nullptr) limiters_.login_email->Reset(normalized);
  if (account.two_factor && two_factor_ != nullptr) {
    ASSIGN_OR_RETURN(Secret challenge, two_factor_->Challenge(account, ip));
    return SessionGrant{.account = std::move(account),
                        .token = Secret(),
                        .csrf_token = "",
                        .two_factor_challenge = std::move(challenge)};
  }
  return StartSession(std::move(account), ip, user_agent, "session.login");
}

Result<AccountService::SessionGrant> AccountService::LoginTwoFactor(std::string_view challenge,
                                                                    std::string_view code,
                                                                    const std::string& ip,
                                                                    std::string_view user_agent) {
  if (two_factor_ == nullptr) return NotFound("two-factor sign-in is not available");
  ASSIGN_OR_RETURN(AccountRecord account, two_factor_->Complete(challenge, code, ip));
  return StartSession(std::move(account), ip, user_agent, "session.login");
}

Result<AccountService::SessionGrant> AccountService::StartSession(AccountRecord account,
                                                                  const std::string& ip,
                                                                  std::string_view user_agent,
                                                                  std::string action) {
  Secret token(NewToken(deps_.random, 32));
  const Time now = deps_.clock.Now();
  SessionRecord session{.token_digest = Sha256(token.reveal()),
                        .account_id = account.id,
                        .csrf_token = NewToken(deps_.random, 32),
                        .created_at = now,
                        .last_seen_at = now,
                        .id = NewId("ses", deps_.random),
                        .ip = ip,
                        .user_agent = SanitizeUserAgent(user_agent)};
  Caller caller{account.id, ip};
  RETURN_IF_ERROR(
      deps_.store.CreateSession(session, deps_.Event(std::move(action), caller, account.id)));
  return SessionGrant{std::move(account), std::move(token), session.csrf_token};
}

Result<AccountService::SessionInfo> AccountService::Authenticate(std::string_view token) {
  const Status no_session(StatusCode::kUnauthenticated,
                          "You are not signed in, or your session ended: sign in again.");
  if (token.empty()) return no_session;
  const Digest digest = Sha256(token);
  auto found = deps_.store.FindSignedIn(digest);
  if (!found.ok()) {
    return found.status().code() == StatusCode::kNotFound ? no_session : found.status();
  }
  const SessionRecord& session = found->session;
  const Time now = deps_.clock.Now();
  if (session.last_seen_at + kSessionIdleTimeout <= now) {
    (void)deps_.store.DeleteSession(digest);
    return no_session;
  }
  // One write per touch interval at most keeps the idle clock right without a write per
  // request.
  if (now - session.last_seen_at >= kSessionTouchInterval) {
    RETURN_IF_ERROR(deps_.store.TouchSession(digest, now));
  }
  return SessionInfo{std::move(found->account), std::move(found->session.csrf_token)};
}

Status AccountService::Logout(std::string_view token) {
  Status s = deps_.store.DeleteSession(Sha256(token));
  return s.code() == StatusCode::kNotFound ? Status::Ok() : s;
}

Result<std::vector<EventRecord>> AccountService::ListEvents(const Caller& caller, int limit,
                                                            std::optional<std::string> before) {
  if (limit < 1 || limit > 200) return InvalidRequest("limit: must be 1 to 200");
  return deps_.store.ListEvents(caller.account_id, limit, std::move(before));
}

}  // namespace tfzo
