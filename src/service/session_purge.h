#ifndef TFZO_SERVICE_SESSION_PURGE_H_
#define TFZO_SERVICE_SESSION_PURGE_H_

#include <chrono>

#include "service/context.h"
#include "service/periodic_job.h"

namespace tfzo {

// The periodic job that deletes the sessions that idled out (AccountService::
// kSessionIdleTimeout) from the store: such a session no longer signs anyone in (it is refused
// when used), but without this its row would stay forever. Once per interval in the cluster
// (PeriodicJob). Owned by the server's wiring (App); thread-safe.
class SessionPurge : public PeriodicService<SessionPurge> {
 public:
  // How often the server runs it (--session-purge-interval, hidden, for tests).
  static constexpr std::chrono::seconds kDefaultInterval{600};

  explicit SessionPurge(ServiceDeps deps)
      : PeriodicService(deps, "session_purge", "session purge", "idle sessions deleted") {}

  // Deletes the sessions idle since kSessionIdleTimeout ago; the number deleted.
  Result<int> RunOnce();
};

}  // namespace tfzo

#endif  // TFZO_SERVICE_SESSION_PURGE_H_
