#ifndef TFZO_SERVICE_CONTEXT_H_
#define TFZO_SERVICE_CONTEXT_H_

#include <string>

#include "core/ids.h"
#include "core/random.h"
#include "core/time.h"
#include "model/store.h"

namespace tfzo {

// Who is asking: the authenticated account and the client's address (for audit events).
struct Caller {
  std::string account_id;
  std::string ip;
  // The account's e-mail when authenticating the caller read it (a console session), so that a
  // service need not read the account again; empty when not known.
  std::string email{};
};

// What every service holds: the store, the clock, the random source and the console's address
// (the base of links in mails: --public-url, or the address the server listens on, set before
// the first request), all owned by the server's wiring and outliving the services.
// Thread-safe, as its parts are.
struct ServiceDeps {
  Store& store;
  const Clock& clock;
  Random& random;
  const std::string& console_url;  // "https://host[/path]", no trailing '/'

  EventRecord Event(std::string action, const Caller& caller, std::string target_id,
                    std::optional<std::string> org_id = std::nullopt) const {
    return EventRecord{.id = NewId("evt", random),
                       .at = clock.Now(),
                       .action = std::move(action),
                       .actor_id = caller.account_id.empty()
                                       ? std::nullopt
                                       : std::optional<std::string>(caller.account_id),
                       .org_id = std::move(org_id),
                       .target_id = std::move(target_id),
                       .ip = caller.ip};
  }
};

}  // namespace tfzo

#endif  // TFZO_SERVICE_CONTEXT_H_
