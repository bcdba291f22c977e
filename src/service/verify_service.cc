#include "service/verify_service.h"

namespace tfzo {

Result<VerifyService::Verdict> VerifyService::Verify(std::string_view key,
                                                     const std::optional<std::string>& org_id,
                                                     Authenticator::Notes& notes) {
  Result<KeyState> state = verifier_.Verify(key);
  notes.key_check = KeyCheckName(state.status());
  Status access = state.status();
  if (state.ok() && org_id) access = verifier_.CheckOrgAccess(*state, *org_id);
  if (access.code() == StatusCode::kInternal || access.code() == StatusCode::kUnavailable) {
    return access;
  }
  if (!access.ok()) return Verdict{.reason = access.code()};
  return Verdict{.key = std::move(state).value()};
}

}  // namespace tfzo
