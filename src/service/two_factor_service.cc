#include "service/two_factor_service.h"

#include <fmt/format.h>

#include <array>
#include <cctype>

#include "core/base32.h"
#include "core/digest.h"
#include "core/totp.h"
#include "service/qr_svg.h"

namespace tfzo {
namespace {

// 20 bytes: RFC 4226's recommended length for HMAC-SHA-1 (32 base32 characters).
constexpr size_t kSecretBytes = 20;
// Recovery codes: 10 characters without look-alikes (no 0/o, 1/l/i), shown as xxxxx-xxxxx.
constexpr char kRecoveryAlphabet[] = "abcdefghjkmnpqrstuvwxyz23456789";
constexpr size_t kRecoveryLength = 10;

// RFC 3986 percent-encoding of everything but the unreserved characters.
std::string UriEncode(std::string_view text) {
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += fmt::format("%{:02X}", c);
    }
  }
  return out;
}

// A code as people type it: spaces and dashes dropped, letters lower-cased.
std::string NormalizeCode(std::string_view code) {
  std::string out;
  for (unsigned char c : code) {
    if (c == ' ' || c == '-') continue;
    out += static_cast<char>(std::tolower(c));
  }
  return out;
}

bool AllOf(std::string_view text, std::string_view alphabet) {
  return text.find_first_not_of(alphabet) == std::string_view::npos;
}

Status WrongCode() {
  return Status(StatusCode::kInvalidCredentials,
                "code: not right, or used already: type the current code from your "
                "authenticator app, or one of your recovery codes.");
}

// 429: "`what`: try again in N minutes.", with Retry-After.
Status TooMany(std::chrono::seconds wait) {
  return RateLimited(
      fmt::format("Too many wrong codes: try again in {} minutes.", (wait.count() + 59) / 60),
      static_cast<int>(wait.count()));
}

}  // namespace

TwoFactorService::TwoFactorService(ServiceDeps deps, const PasswordHasher& hasher,
                                   Limiters limiters)
    : deps_(deps), hasher_(hasher), limiters_(limiters) {}

Result<TwoFactorService::Setup> TwoFactorService::StartSetup(const Caller& caller) {
  ASSIGN_OR_RETURN(AccountRecord account, deps_.store.FindAccount(caller.account_id));
  if (account.two_factor) {
    return Conflict("Two-factor sign-in is already on: turn it off first to set up a new app.");
  }
  std::array<uint8_t, kSecretBytes> bytes;
  deps_.random.Fill(bytes);
  Secret secret(
      Base32Encode(std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size())));
  bytes.fill(0);
  const Status stored = deps_.store.SetupTotp(caller.account_id, secret.reveal());
  if (stored.code() == StatusCode::kConflict) {
    return Conflict("Two-factor sign-in is already on: turn it off first to set up a new app.");
  }
  RETURN_IF_ERROR(stored);
  const std::string issuer = UriEncode(kIssuer);
  std::string uri = fmt::format(
      "otpauth://totp/{}:{}?secret={}&issuer={}&algorithm=SHA1&digits={}&period={}", issuer,
      UriEncode(account.email), secret.reveal(), issuer, kTotpDigits, kTotpStepSeconds);
  ASSIGN_OR_RETURN(std::string svg, QrSvg(uri));
  return Setup{std::move(secret), std::move(uri), std::move(svg)};
}

Result<std::vector<Secret>> TwoFactorService::Enable(const Caller& caller, std::string_view code) {
  ASSIGN_OR_RETURN(TotpRecord totp, deps_.store.FindTotp(caller.account_id));
  if (totp.enabled) return Conflict("Two-factor sign-in is already on.");
  if (totp.secret.empty()) {
    return Conflict("Start the setup first (POST /api/account/totp/setup), then type its code.");
  }
  const auto raw = Base32Decode(totp.secret);
  if (!raw) return Internal("the stored TOTP secret is not base32");
  const Time now = deps_.clock.Now();
  const auto step = MatchTotp(*raw, NormalizeCode(code), now);
  if (!step) {
    return Status(StatusCode::kInvalidCredentials,
                  "code: not right: type the 6-digit code your app shows now (check that the "
                  "phone's clock is right).");
  }
  std::vector<Secret> codes;
  std::vector<Digest> digests;
  for (int i = 0; i < kRecoveryCodes; ++i) {
    std::array<char, kRecoveryLength> drawn;
    FillFromAlphabet(deps_.random, kRecoveryAlphabet, drawn);
    const std::string plain(drawn.data(), drawn.size());
    digests.push_back(Sha256(plain));
    codes.emplace_back(plain.substr(0, 5) + "-" + plain.substr(5));
  }
  const Status enabled =
      deps_.store.EnableTotp(caller.account_id, totp.secret, *step, digests,
                             deps_.Event("account.totp_enabled", caller, caller.account_id));
  if (enabled.code() == StatusCode::kConflict) {
    return Conflict(
        "The setup changed meanwhile (started again, or finished elsewhere): "
        "reload and start again.");
  }
  RETURN_IF_ERROR(enabled);
  return codes;
}

Status TwoFactorService::Disable(const Caller& caller, const Secret& password,
                                 std::string_view code) {
  RETURN_IF_ERROR(CheckLimits(caller.account_id, caller.ip));
  ASSIGN_OR_RETURN(AccountRecord account, deps_.store.FindAccount(caller.account_id));
  if (!account.two_factor) return Conflict("Two-factor sign-in is off.");
  ASSIGN_OR_RETURN(const bool matches, hasher_.Verify(account.password_hash, password));
  if (!matches) {
    RecordFailure(caller.account_id, caller.ip);
    return Status(StatusCode::kInvalidCredentials, "password: not right.");
  }
  RETURN_IF_ERROR(ConfirmCode(caller, code));
  const Status disabled = deps_.store.DisableTotp(
      caller.account_id, deps_.Event("account.totp_disabled", caller, caller.account_id));
  if (disabled.code() == StatusCode::kConflict) return Conflict("Two-factor sign-in is off.");
  return disabled;
}

Status TwoFactorService::ConfirmCode(const Caller& caller, std::string_view code) {
  RETURN_IF_ERROR(CheckLimits(caller.account_id, caller.ip));
  const Time now = deps_.clock.Now();
  Result<SecondFactor> factor = Factor(caller.account_id, code, now);
  Status used = factor.status();
  if (factor.ok()) {
    used = deps_.store.UseSecondFactor(caller.account_id, *factor, now, std::nullopt, std::nullopt);
  }
  if (used.code() == StatusCode::kInvalidCredentials) RecordFailure(caller.account_id, caller.ip);
  return used;
}

Result<Secret> TwoFactorService::Challenge(const AccountRecord& account, const std::string& ip) {
  Secret challenge(NewToken(deps_.random, 32));
  const Time now = deps_.clock.Now();
  const TokenRecord token{.digest = Sha256(challenge.reveal()),
                          .purpose = TokenRecord::kTwoFactorLogin,
                          .account_id = account.id,
                          .email = "",
                          .created_at = now,
                          .expires_at = now + kChallengeLifetime};
  // No actor yet: the password was right, the person is not signed in.
  RETURN_IF_ERROR(
      deps_.store.CreateToken(token, deps_.Event("login.2fa_challenged", {"", ip}, account.id)));
  return challenge;
}

Result<AccountRecord> TwoFactorService::Complete(std::string_view challenge, std::string_view code,
                                                 const std::string& ip) {
  const Status expired(StatusCode::kInvalidToken,
                       "challenge: unknown, used or expired (it lasts 5 minutes): sign in again.");
  if (challenge.empty()) return expired;
  const Digest digest = Sha256(challenge);
  auto token = deps_.store.FindToken(digest);
  if (token.status().code() == StatusCode::kNotFound) return expired;
  RETURN_IF_ERROR(token.status());
  const Time now = deps_.clock.Now();
  if (token->purpose != TokenRecord::kTwoFactorLogin || token->used_at ||
      token->expires_at <= now) {
    return expired;
  }
  const std::string& account_id = token->account_id;
  RETURN_IF_ERROR(CheckLimits(account_id, ip));
  Result<SecondFactor> factor = Factor(account_id, code, now);
  Status used = factor.status();
  if (factor.ok()) {
    std::optional<EventRecord> event;
    if (factor->recovery_code) {
      event = deps_.Event("login.recovery_code_used", {account_id, ip}, account_id);
    }
    used = deps_.store.UseSecondFactor(account_id, *factor, now, digest, event);
  }
  if (used.code() == StatusCode::kInvalidCredentials) {
    RecordFailure(account_id, ip);
    RETURN_IF_ERROR(deps_.store.AppendEvent(deps_.Event("login.2fa_failed", {"", ip}, account_id)));
    return WrongCode();
  }
  if (used.code() == StatusCode::kInvalidToken) return expired;
  RETURN_IF_ERROR(used);
  if (limiters_.account != nullptr) limiters_.account->Reset(account_id);
  return deps_.store.FindAccount(account_id);
}

Result<SecondFactor> TwoFactorService::Factor(std::string_view account_id, std::string_view code,
                                              Time now) {
  const std::string normalized = NormalizeCode(code);
  if (normalized.size() == static_cast<size_t>(kTotpDigits) && AllOf(normalized, "0123456789")) {
    ASSIGN_OR_RETURN(TotpRecord totp, deps_.store.FindTotp(account_id));
    if (!totp.enabled) return WrongCode();
    const auto raw = Base32Decode(totp.secret);
    if (!raw) return Internal("the stored TOTP secret is not base32");
    const auto step = MatchTotp(*raw, normalized, now);
    if (!step) return WrongCode();
    return SecondFactor{.step = step};
  }
  if (normalized.size() == kRecoveryLength && AllOf(normalized, kRecoveryAlphabet)) {
    return SecondFactor{.recovery_code = Sha256(normalized)};
  }
  return WrongCode();
}

Status TwoFactorService::CheckLimits(const std::string& account_id, const std::string& ip) {
  for (auto [limiter, key] :
       {std::pair{limiters_.account, &account_id}, std::pair{limiters_.address, &ip}}) {
    if (limiter == nullptr) continue;
    const auto wait = limiter->RetryAfter(*key);
    if (wait.count() > 0) return TooMany(wait);
  }
  return Status::Ok();
}

void TwoFactorService::RecordFailure(const std::string& account_id, const std::string& ip) {
  if (limiters_.account != nullptr) limiters_.account->RecordFailure(account_id);
  if (limiters_.address != nullptr) limiters_.address->RecordFailure(ip);
}

}  // namespace tfzo
