#ifndef TFZO_HTTP_OPS_ROUTES_H_
#define TFZO_HTTP_OPS_ROUTES_H_

#include "auth/key_verifier.h"
#include "http/metrics.h"
#include "http/routes.h"
#include "model/store.h"

namespace tfzo::http {

// What the operations routes read. References; they outlive the routes.
struct OpsServices {
  Store& store;           // /healthz pings it
  KeyVerifier& verifier;  // its cache figures join /metrics
  Metrics& metrics;
};

// Operations (docs/spec/API.md "Operations"), without a credential: /healthz and /metrics.
void AddOpsRoutes(Routes& routes, const OpsServices& svc);

}  // namespace tfzo::http

#endif  // TFZO_HTTP_OPS_ROUTES_H_
