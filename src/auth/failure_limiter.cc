#include "auth/failure_limiter.h"

namespace tfzo {

FailureLimiter::FailureLimiter(const Clock& clock, int max_failures, std::chrono::seconds window,
                               size_t max_subjects)
    : clock_(clock), max_failures_(max_failures), window_(window), max_subjects_(max_subjects) {}

std::chrono::seconds FailureLimiter::RetryAfterLocked(const std::deque<Time>& failures,
                                                      Time now) const {
  if (static_cast<int>(failures.size()) < max_failures_) return std::chrono::seconds(0);
  const Time until = failures.front() + window_;
  return until > now ? until - now : std::chrono::seconds(0);
}

std::chrono::seconds FailureLimiter::RetryAfter(std::string_view subject) {
  std::lock_guard lock(mu_);
  auto it = subjects_.find(std::string(subject));
  if (it == subjects_.end()) return std::chrono::seconds(0);
  return RetryAfterLocked(it->second.failures, clock_.Now());
}

std::chrono::seconds FailureLimiter::Refuse(std::string_view subject, bool& first) {
  first = false;
  std::lock_guard lock(mu_);
  auto it = subjects_.find(std::string(subject));
  if (it == subjects_.end()) return std::chrono::seconds(0);
  const auto wait = RetryAfterLocked(it->second.failures, clock_.Now());
  if (wait.count() > 0 && !it->second.refusal_reported) {
    it->second.refusal_reported = true;
    first = true;
  }
  return wait;
}

void FailureLimiter::RecordFailure(std::string_view subject) {
  const Time now = clock_.Now();
  std::lock_guard lock(mu_);
  if (subjects_.size() >= max_subjects_) {
    // Forget subjects whose failures all left the window; if none did, the oldest one.
    std::erase_if(subjects_, [&](const auto& entry) {
      const std::deque<Time>& failures = entry.second.failures;
      return failures.empty() || failures.back() + window_ <= now;
    });
    if (subjects_.size() >= max_subjects_) {
      auto oldest = subjects_.begin();
      for (auto it = subjects_.begin(); it != subjects_.end(); ++it) {
        if (it->second.failures.back() < oldest->second.failures.back()) oldest = it;
      }
      subjects_.erase(oldest);
    }
  }
  Subject& entry = subjects_[std::string(subject)];
  std::deque<Time>& failures = entry.failures;
  if (RetryAfterLocked(failures, now) > std::chrono::seconds(0)) return;  // blocked: not counted
  while (!failures.empty() && failures.front() + window_ <= now) failures.pop_front();
  failures.push_back(now);
  while (static_cast<int>(failures.size()) > max_failures_) failures.pop_front();
  entry.refusal_reported = false;
}

void FailureLimiter::Reset(std::string_view subject) {
  std::lock_guard lock(mu_);
  subjects_.erase(std::string(subject));
}

}  // namespace tfzo
