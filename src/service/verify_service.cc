#include "service/verify_service.h"

namespace tfzo {

VerifyService::VerifyService(KeyVerifier& verifier, FailureLimiter* unknown_keys,
                             const Clock& clock, Render render)
    : verifier_(verifier), unknown_keys_(unknown_keys), render_(std::move(render)) {
  if (!render_) return;
  for (size_t i = 1; i < kReasons; ++i) {
    refusals_[i] = render_(Verdict{.reason = static_cast<StatusCode>(i)});
  }
  answers_.emplace(clock, kAnswerMaxAge);
}

VerifyService::VerifyService(KeyVerifier& verifier, FailureLimiter* unknown_keys)
    : verifier_(verifier), unknown_keys_(unknown_keys) {}

Result<VerifyService::Verdict> VerifyService::Verify(std::string_view key, const Question& question,
                                                     std::string_view remote_ip,
                                                     Authenticator::Notes& notes) {
  Result<KeyState> state = verifier_.Verify(key);
  notes.key_check = KeyCheckName(state.status());
  // The Bearer routes' limit: verify must not be a way around it.
  if (Status limited = LimitUnknownKeys(unknown_keys_, state.status(), remote_ip); !limited.ok()) {
    return Verdict{.reason = StatusCode::kRateLimited, .retry_after = limited.retry_after()};
  }
  Status access = state.status();
  if (access.ok() && question.ip) access = verifier_.CheckAddress(*state, *question.ip);
  if (access.ok()) {
    if (const auto missing = state->granted().FirstMissing(question.permissions)) {
      access = KeyVerifier::CheckPermission(*state, *missing);
    }
  }
  if (access.ok()) {
    // Without `org_id`, a scoped key is still only as good as its owner's membership there.
    if (question.org_id) {
      access = verifier_.CheckOrgAccess(*state, *question.org_id);
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

Result<VerifyService::Answered> VerifyService::Answer(std::string_view key,
                                                      const Question& question,
                                                      std::string_view remote_ip,
                                                      Authenticator::Notes& notes) {
  if (!render_) return Internal("VerifyService::Answer without a renderer");
  ASSIGN_OR_RETURN(Verdict verdict, Verify(key, question, remote_ip, notes));
  if (!verdict.key) {
    const auto reason = static_cast<size_t>(verdict.reason);
    std::string body = reason < kReasons ? refusals_[reason] : render_(verdict);
    return Answered{std::move(verdict), std::move(body)};
  }
  std::string body = ValidBody(verdict);
  return Answered{std::move(verdict), std::move(body)};
}

std::string VerifyService::ValidBody(const Verdict& verdict) {
  const KeyState& state = *verdict.key;
  if (auto found = answers_->Find(state.key_id)) {
    if ((*found)->state == state) return (*found)->body;
  }
  auto built = std::make_shared<const Built>(Built{state, render_(verdict)});
  if (answers_->size() >= kMaxAnswers) answers_->Clear();
  answers_->Insert(state.key_id, built, answers_->epoch());
  return built->body;
}

}  // namespace tfzo
