#ifndef TFZO_HTTP_CLI_ROUTES_H_
#define TFZO_HTTP_CLI_ROUTES_H_

#include <string>

#include "auth/key_verifier.h"
#include "http/routes.h"
#include "service/me_service.h"
#include "service/resource_service.h"

namespace tfzo::http {

// What the CLI's routes call. References; they outlive the routes.
struct CliServices {
  MeService& me;
  ResourceService& resources;
  KeyVerifier& verifier;  // the {org} scope checks
};

// The CLI's routes (docs/spec/API.md "CLI API", a Bearer key): the key's own view, and the
// agents and hosts of the organizations it reaches.
void AddCliRoutes(Routes& routes, const CliServices& svc);

// The body of GET /api/v1/me, as MeService keeps it: the parts around the key's
// "last_used_at", and that value.
MeService::Parts RenderMeParts(const MeService::Me& me);
void RenderLastUsed(std::optional<Time> t, std::string& out);
// `,"previous_used_at":` and the time (or null): the key's use before this request.
void RenderPreviousUse(std::optional<Time> t, std::string& out);
inline const MeService::Render kRenderMe{
    .answer = RenderMeParts, .last_used = RenderLastUsed, .previous_use = RenderPreviousUse};

}  // namespace tfzo::http

#endif  // TFZO_HTTP_CLI_ROUTES_H_
