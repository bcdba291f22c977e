#include "service/password_check.h"

#include <fmt/format.h>

#include <utility>

#include "service/validation.h"

namespace tfzo {

Status PasswordCheck::Check(const AccountRecord& account, const Secret& password,
                            const std::string& ip, std::string_view field) const {
  for (auto [limiter, subject] :
       {std::pair(per_email, &account.email), std::pair(per_address, &ip)}) {
    if (limiter == nullptr) continue;
    const auto wait = limiter->RetryAfter(*subject);
    if (wait.count() > 0) {
      return RateLimited(fmt::format("Too many wrong passwords: try again in {} minutes.",
                                     (wait.count() + 59) / 60),
                         static_cast<int>(wait.count()));
    }
  }
  ASSIGN_OR_RETURN(const bool matches, hasher.Verify(account.password_hash, password));
  if (matches) return Status::Ok();
  if (per_email != nullptr) per_email->RecordFailure(account.email);
  if (per_address != nullptr) per_address->RecordFailure(ip);
  return Status(StatusCode::kInvalidCredentials,
                fmt::format("{}: this is not your password", field));
}

Status CheckNewPassword(const Secret& password, std::string_view field) {
  const size_t n = CodePoints(password.reveal());
  if (n < 8 || n > 1024) {
    return Status(StatusCode::kWeakPassword,
                  fmt::format("{}: must be at least 8 characters (and at most 1024)", field));
  }
  return Status::Ok();
}

}  // namespace tfzo
