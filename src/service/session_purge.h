#ifndef TFZO_SERVICE_SESSION_PURGE_H_
#define TFZO_SERVICE_SESSION_PURGE_H_

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "service/context.h"

namespace tfzo {

// The periodic job that deletes the sessions that idled out (AccountService::
// kSessionIdleTimeout) from the store: such a session no longer signs anyone in (it is refused
// when used), but without this its row would stay forever. Every node runs it; deleting what
// another node already deleted is harmless. Owned by the server's wiring (App); thread-safe.
class SessionPurge {
 public:
  // How often the server runs it (--session-purge-interval, hidden, for tests).
  static constexpr std::chrono::seconds kDefaultInterval{600};

  explicit SessionPurge(ServiceDeps deps) : deps_(deps) {}
  ~SessionPurge() { Stop(); }
  SessionPurge(const SessionPurge&) = delete;
  SessionPurge& operator=(const SessionPurge&) = delete;

  // Deletes the sessions idle since kSessionIdleTimeout ago; the number deleted.
  Result<int> RunOnce();
  // Runs RunOnce now and every `interval` on a thread of its own, until Stop().
  void Start(std::chrono::milliseconds interval);
  // Idempotent.
  void Stop();

 private:
  ServiceDeps deps_;
  std::mutex mu_;
  std::condition_variable_any wake_;
  std::jthread thread_;
};

}  // namespace tfzo

#endif  // TFZO_SERVICE_SESSION_PURGE_H_
