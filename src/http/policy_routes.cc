// The console's routes for an organization's key policy (docs/spec/API.md "Organization key
// policy"); owners only.

#include "http/console_routes.h"

namespace tfzo::http {

using beast_http::verb;

namespace {

constexpr int64_t kMaxDays = 3650;

// A PUT body: the whole policy, a missing or null rule being no rule.
Result<OrgPolicy> ReadPolicy(const HttpRequest& msg) {
  ASSIGN_OR_RETURN(JsonBody body,
                   JsonBody::Parse(msg,
                                   {"max_lifetime_days", "require_expiration", "rotate_every_days",
                                    "revoke_unused_after_days", "allowed_permissions"},
                                   /*empty_ok=*/true));
  OrgPolicy policy;
  const auto days = [&](std::string_view field, std::optional<int>& out) -> Status {
    ASSIGN_OR_RETURN(auto d, body.OptionalInt(field, 1, kMaxDays));
    if (d) out = static_cast<int>(*d);
    return Status::Ok();
  };
  RETURN_IF_ERROR(days("max_lifetime_days", policy.max_lifetime_days));
  RETURN_IF_ERROR(days("rotate_every_days", policy.rotate_every_days));
  RETURN_IF_ERROR(days("revoke_unused_after_days", policy.revoke_unused_after_days));
  ASSIGN_OR_RETURN(auto required, body.OptionalBool("require_expiration"));
  policy.require_expiration = required.value_or(false);
  ASSIGN_OR_RETURN(auto allowed, body.OptionalStrings("allowed_permissions", 16));
  if (allowed) {
    ASSIGN_OR_RETURN(policy.allowed_permissions,
                     Permissions::FromNames(*allowed, "allowed_permissions"));
  }
  return policy;
}

}  // namespace

void AddPolicyRoutes(Routes& routes, const ConsoleServices& svc) {
  routes.Console(verb::get, "/api/orgs/{org}/policy",
                 [svc](Request& request, const Session& session) -> Result<HttpResponse> {
                   ASSIGN_OR_RETURN(auto policy,
                                    svc.orgs.GetPolicy(session.caller, request.param("org")));
                   return Json({{"policy", PolicyJson(policy)}});
                 });

  routes.Console(verb::put, "/api/orgs/{org}/policy",
                 [svc](Request& request, const Session& session) -> Result<HttpResponse> {
                   ASSIGN_OR_RETURN(OrgPolicy policy, ReadPolicy(request.msg));
                   ASSIGN_OR_RETURN(
                       policy, svc.orgs.SetPolicy(session.caller, request.param("org"), policy));
                   return Json({{"policy", PolicyJson(policy)}});
                 });
}

}  // namespace tfzo::http
