#include "service/session_purge.h"

#include "service/account_service.h"

namespace tfzo {

Result<int> SessionPurge::RunOnce() {
  return deps_.store.DeleteSessionsIdleSince(deps_.clock.Now() -
                                             AccountService::kSessionIdleTimeout);
}

}  // namespace tfzo
