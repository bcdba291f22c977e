#include "service/verify_service.h"

namespace tfzo {

Result<VerifyService::Verdict> VerifyService::Verify(std::string_view key,
                                                     const std::optional<std::string>& org_id,
                                                     std::string_view remote_ip,
                                                     Authenticator::Notes& notes) {
  Result<KeyState> state = verifier_.Verify(key);
  notes.key_check = KeyCheckName(state.status());
  // The Bearer routes' limit: verify must not be a way around it.
  if (Status limited = LimitUnknownKeys(unknown_keys_, state.status(), remote_ip); !limited.ok()) {
    return Verdict{.reason = StatusCode::kRateLimited, .retry_after = limited.retry_after()};
  }
  Status access = state.status();
  if (state.ok()) {
    // Without `org_id`, a scoped key is still only as good as its owner's membership there.
    const std::optional<std::string>& org = org_id ? org_id : state->org_id;
    if (org) access = verifier_.CheckOrgAccess(*state, *org);
  }
  if (access.code() == StatusCode::kInternal || access.code() == StatusCode::kUnavailable) {
    return access;
  }
  if (!access.ok()) return Verdict{.reason = access.code()};
  return Verdict{.key = std::move(state).value()};
}

}  // namespace tfzo
