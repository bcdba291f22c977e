#ifndef TFZO_HTTP_CHECK_ROUTES_H_
#define TFZO_HTTP_CHECK_ROUTES_H_

#include <string_view>

#include "auth/key_verifier.h"
#include "http/routes.h"

namespace tfzo::http {

// GET /api/v1/keys/check (docs/spec/API.md, docs/nginx-auth-request.md): a proxy's question
// "may the request carrying this Authorization header pass?", answered from the same cached
// path as GET /api/v1/me. Proxies read the answer's status and headers only.
inline constexpr std::string_view kKeyCheckPath = "/api/v1/keys/check";

// A path under kKeyCheckPath ("/api/v1/keys/check/..."): Envoy's ext_authz HTTP service
// appends the client's path to its path_prefix and keeps the client's method. Api::Dispatch
// routes such requests to the key check; their query is the client's, never read.
inline bool IsForwardedKeyCheck(std::string_view path) {
  return path.size() > kKeyCheckPath.size() && path.starts_with(kKeyCheckPath) &&
         path[kKeyCheckPath.size()] == '/';
}

// The identity headers of a granted check: X-2501-Account, X-2501-Key and X-2501-Org (`org`,
// empty when none: always present, so that a proxy copying the headers overwrites one the
// client forged). 204, or 200 with an empty body for a forwarded check (Envoy allows only 200).
HttpResponse KeyCheckGranted(const KeyState& key, std::string_view org, bool forwarded);

// A refused check: the error body, X-2501-Error with the code (proxies drop bodies), and on 401
// and 403 the RFC 6750 challenge of realm "2501" (no error attribute when no key was sent).
// 429 and 503 keep their status and Retry-After.
HttpResponse KeyCheckRefused(const Status& status);

// Adds GET /api/v1/keys/check. `verifier`: the org checks; it outlives the routes.
void AddCheckRoutes(Routes& routes, KeyVerifier& verifier);

}  // namespace tfzo::http

#endif  // TFZO_HTTP_CHECK_ROUTES_H_
