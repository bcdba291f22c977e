#ifndef TFZO_HTTP_OPS_ROUTES_H_
#define TFZO_HTTP_OPS_ROUTES_H_

#include "auth/key_verifier.h"
#include "auth/usage_recorder.h"
#include "http/metrics.h"
#include "http/routes.h"
#include "model/store.h"

namespace tfzo::http {

// What the operations routes read. References; they outlive the routes.
struct OpsServices {
  Store& store;                // how current it is joins /metrics
  KeyVerifier& verifier;       // what it can serve is /healthz; its cache figures join /metrics
  const UsageRecorder& usage;  // its flushes join /metrics
  Metrics& metrics;
};

// Operations (docs/spec/API.md "Operations"), without a credential: /healthz, /metrics and
// the API description, /api/openapi.json.
// Neither waits on the database (both may run on an I/O thread): /healthz answers from what
// the store's change feed last knew, so it answers at once even when the database hangs.
void AddOpsRoutes(Routes& routes, const OpsServices& svc);

}  // namespace tfzo::http

#endif  // TFZO_HTTP_OPS_ROUTES_H_
