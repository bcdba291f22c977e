#ifndef TFZO_HTTP_SERVICE_ROUTES_H_
#define TFZO_HTTP_SERVICE_ROUTES_H_

#include <string>

#include "http/routes.h"
#include "service/verify_service.h"

namespace tfzo::http {

// The route other services call (docs/spec/API.md "POST /api/v1/keys/verify"): the key is
// in the body, and a key that is not valid is a 200 answer with its code. Errors: a body
// that is not the request's JSON (400, 415), or no verdict possible now (500, 503).
void AddServiceRoutes(Routes& routes, VerifyService& verify);

// The body of a verdict: VerifyService's renderer.
std::string RenderVerdict(const VerifyService::Verdict& verdict);

}  // namespace tfzo::http

#endif  // TFZO_HTTP_SERVICE_ROUTES_H_
