#include "service/session_purge.h"

#include <spdlog/spdlog.h>

#include "service/account_service.h"

namespace tfzo {

Result<int> SessionPurge::RunOnce() {
  return deps_.store.DeleteSessionsIdleSince(deps_.clock.Now() -
                                             AccountService::kSessionIdleTimeout);
}

void SessionPurge::Start(std::chrono::milliseconds interval) {
  thread_ = std::jthread([this, interval](std::stop_token stop) {
    while (!stop.stop_requested()) {
      auto purged = RunOnce();
      if (!purged.ok()) {
        spdlog::warn("session purge: {}", purged.status().message());
      } else if (*purged > 0) {
        spdlog::info("session purge: {} idle sessions deleted", *purged);
      }
      std::unique_lock lock(mu_);
      wake_.wait_for(lock, stop, interval, [] { return false; });
    }
  });
}

void SessionPurge::Stop() {
  if (!thread_.joinable()) return;
  thread_.request_stop();
  thread_.join();
}

}  // namespace tfzo
