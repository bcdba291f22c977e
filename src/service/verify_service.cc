#include "service/verify_service.h"

namespace tfzo {

Result<VerifyService::Verdict> VerifyService::Verify(std::string_view key,
                                                     const std::optional<std::string>& org_id,
                                                     std::string_view remote_ip,
                                                     Authenticator::Notes& notes) {
  Result<KeyState> state = verifier_.Verify(key);
  notes.key_check = KeyCheckName(state.status());
  const StatusCode code = state.status().code();
  if (unknown_keys_ != nullptr &&
      (code == StatusCode::kKeyMalformed || code == StatusCode::kKeyInvalid)) {
    // The same limit as the Bearer routes: verify must not be a way around it.
    const auto wait = unknown_keys_->RetryAfter(remote_ip);
    if (wait.count() > 0) {
      return Verdict{.reason = StatusCode::kRateLimited,
                     .retry_after = static_cast<int>(wait.count())};
    }
    unknown_keys_->RecordFailure(remote_ip);
  }
  Status access = state.status();
  if (state.ok()) {
    // Without `org_id`, a scoped key is still only as good as its owner's membership there.
    if (org_id) {
      access = verifier_.CheckOrgAccess(*state, *org_id);
    } else if (state->org_id) {
      access = verifier_.CheckOrgAccess(*state, *state->org_id);
    }
  }
  if (access.code() == StatusCode::kInternal || access.code() == StatusCode::kUnavailable) {
    return access;
  }
  if (!access.ok()) return Verdict{.reason = access.code()};
  return Verdict{.key = std::move(state).value()};
}

}  // namespace tfzo
