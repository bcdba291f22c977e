#ifndef TFZO_SERVICE_SESSION_PURGE_H_
#define TFZO_SERVICE_SESSION_PURGE_H_

#include <chrono>
#include <utility>

#include "service/context.h"
#include "service/periodic_job.h"

namespace tfzo {

// The periodic job that deletes the sessions that idled out (AccountService::
// kSessionIdleTimeout) from the store: such a session no longer signs anyone in (it is refused
// when used), but without this its row would stay forever. Once per interval in the cluster
// (PeriodicJob). Owned by the server's wiring (App); thread-safe.
class SessionPurge {
 public:
  // How often the server runs it (--session-purge-interval, hidden, for tests).
  static constexpr std::chrono::seconds kDefaultInterval{600};

  explicit SessionPurge(ServiceDeps deps) : deps_(deps) {}

  // Deletes the sessions idle since kSessionIdleTimeout ago; the number deleted.
  Result<int> RunOnce();
  // Runs RunOnce now and every `interval` on a thread of its own, until Stop().
  void Start(std::chrono::milliseconds interval, JobObserver observer = {}) {
    job_.Start(interval, std::move(observer));
  }
  // Idempotent.
  void Stop() { job_.Stop(); }

 private:
  ServiceDeps deps_;
  PeriodicJob job_{deps_, "session_purge", "session purge", "idle sessions deleted",
                   [this] { return RunOnce(); }};
};

}  // namespace tfzo

#endif  // TFZO_SERVICE_SESSION_PURGE_H_
