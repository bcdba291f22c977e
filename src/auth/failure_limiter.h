#ifndef TFZO_AUTH_FAILURE_LIMITER_H_
#define TFZO_AUTH_FAILURE_LIMITER_H_

#include <chrono>
#include <deque>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "core/time.h"

namespace tfzo {

// Counts failures (bad passwords, bad keys) per subject (an email, an address) in a sliding
// window: once `max_failures` happened within `window`, the subject is blocked until the
// oldest of them leaves the window. Attempts while blocked are not failures, so nobody can
// keep a subject blocked forever by hammering it: the block always ends one window after
// the failures that caused it. Memory is bounded by `max_subjects` (the least recently failed
// are forgotten first). Besides failures it counts any attempt worth limiting (sign-ups per
// address): RecordFailure is "one more". In memory, per process. Thread-safe.
class FailureLimiter {
 public:
  FailureLimiter(const Clock& clock, int max_failures, std::chrono::seconds window,
                 size_t max_subjects = 100000);

  // How long the subject must wait now; zero when not blocked.
  std::chrono::seconds RetryAfter(std::string_view subject);
  // RetryAfter for a caller that refuses the attempt when it is non-zero; `first` tells
  // whether this is the block's first refusal, so a refusal can be audited once per block
  // rather than once per attempt (a flood of refused attempts writes nothing more).
  std::chrono::seconds Refuse(std::string_view subject, bool& first);
  void RecordFailure(std::string_view subject);
  void Reset(std::string_view subject);

 private:
  struct Subject {
    std::deque<Time> failures;      // within the window, oldest first
    bool refusal_reported = false;  // since the last counted failure
  };
  std::chrono::seconds RetryAfterLocked(const std::deque<Time>& failures, Time now) const;

  const Clock& clock_;
  const int max_failures_;
  const std::chrono::seconds window_;
  const size_t max_subjects_;
  std::mutex mu_;
  std::unordered_map<std::string, Subject> subjects_;  // guarded by mu_
};

}  // namespace tfzo

#endif  // TFZO_AUTH_FAILURE_LIMITER_H_
