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
  auto it = failures_.find(std::string(subject));
  if (it == failures_.end()) return std::chrono::seconds(0);
  return RetryAfterLocked(it->second, clock_.Now());
}

void FailureLimiter::RecordFailure(std::string_view subject) {
  const Time now = clock_.Now();
  std::lock_guard lock(mu_);
  if (failures_.size() >= max_subjects_) {
    // Forget subjects whose failures all left the window; if none did, the oldest one.
    std::erase_if(failures_, [&](const auto& entry) {
      return entry.second.empty() || entry.second.back() + window_ <= now;
    });
    if (failures_.size() >= max_subjects_) {
      auto oldest = failures_.begin();
      for (auto it = failures_.begin(); it != failures_.end(); ++it) {
        if (it->second.back() < oldest->second.back()) oldest = it;
      }
      failures_.erase(oldest);
    }
  }
  std::deque<Time>& failures = failures_[std::string(subject)];
  if (RetryAfterLocked(failures, now) > std::chrono::seconds(0)) return;  // blocked: not counted
  while (!failures.empty() && failures.front() + window_ <= now) failures.pop_front();
  failures.push_back(now);
  while (static_cast<int>(failures.size()) > max_failures_) failures.pop_front();
}

void FailureLimiter::Reset(std::string_view subject) {
  std::lock_guard lock(mu_);
  failures_.erase(std::string(subject));
}

}  // namespace tfzo
