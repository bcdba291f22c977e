#ifndef TFZO_HTTP_EXPOSURE_ROUTES_H_
#define TFZO_HTTP_EXPOSURE_ROUTES_H_

#include "http/metrics.h"
#include "http/routes.h"
#include "service/exposure_service.h"

namespace tfzo::http {

// POST /api/v1/credentials/revoke (docs/spec/API.md "Reporting exposed keys"): anyone reports
// strings found in the open, without a credential (an Authorization header or a cookie is
// ignored); always 202 {"received": N}, whatever the strings were. The outcomes go to /metrics
// only. References; the service and metrics outlive the route.
void AddExposureRoutes(Routes& routes, ExposureService& exposure, Metrics& metrics);

}  // namespace tfzo::http

#endif  // TFZO_HTTP_EXPOSURE_ROUTES_H_
