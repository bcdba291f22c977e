// The console's routes for an organization's service accounts and their keys (docs/spec/API.md
// "Console: service accounts"); owners only.

#include "http/console_routes.h"

namespace tfzo::http {

using beast_http::status;
using beast_http::verb;

namespace {

// A key and its value: the two answers that carry the value once.
HttpResponse Issued(const KeyService::Issued& issued, Time now, status st) {
  return Json({{"key", KeyJson(issued.key, now)}, {"secret", issued.secret.reveal()}}, st);
}

}  // namespace

void AddServiceAccountRoutes(Routes& routes, const ConsoleServices& svc) {
  routes.Console(
      verb::post, "/api/orgs/{org}/service-accounts",
      [svc](Request& request, const Session& session) -> Result<HttpResponse> {
        ASSIGN_OR_RETURN(JsonBody body, JsonBody::Parse(request.msg, {"name", "description"}));
        ASSIGN_OR_RETURN(std::string name, body.RequiredString("name"));
        ASSIGN_OR_RETURN(auto description, body.OptionalString("description"));
        ASSIGN_OR_RETURN(auto account,
                         svc.service_accounts.Create(session.caller, request.param("org"), name,
                                                     description.value_or("")));
        return Json({{"service_account", ServiceAccountJson(account)}}, status::created);
      });

  routes.Console(verb::get, "/api/orgs/{org}/service-accounts",
                 [svc](Request& request, const Session& session) -> Result<HttpResponse> {
                   ASSIGN_OR_RETURN(auto accounts, svc.service_accounts.List(session.caller,
                                                                             request.param("org")));
                   json list = json::array();
                   for (const auto& a : accounts) list.push_back(ServiceAccountJson(a));
                   return Json({{"service_accounts", std::move(list)}});
                 });

  routes.Console(verb::delete_, "/api/orgs/{org}/service-accounts/{sa}",
                 [svc](Request& request, const Session& session) -> Result<HttpResponse> {
                   RETURN_IF_ERROR(svc.service_accounts.Delete(session.caller, request.param("org"),
                                                               request.param("sa")));
                   return HttpResponse{status::no_content, 11};
                 });

  routes.Console(verb::get, "/api/orgs/{org}/service-accounts/{sa}/keys",
                 [svc](Request& request, const Session& session) -> Result<HttpResponse> {
                   ASSIGN_OR_RETURN(auto keys,
                                    svc.service_accounts.ListKeys(
                                        session.caller, request.param("org"), request.param("sa")));
                   const Time now = svc.clock.Now();
                   json list = json::array();
                   for (const auto& k : keys) list.push_back(KeyJson(k, now));
                   return Json({{"keys", std::move(list)}});
                 });

  // The body of POST /api/keys without org_id: always scoped to the service account's org.
  routes.Console(
      verb::post, "/api/orgs/{org}/service-accounts/{sa}/keys",
      [svc](Request& request, const Session& session) -> Result<HttpResponse> {
        ASSIGN_OR_RETURN(JsonBody body,
                         JsonBody::Parse(request.msg, {"name", "description", "expires_at",
                                                       "permissions", "allowed_ips"}));
        ASSIGN_OR_RETURN(KeyService::CreateRequest create, ReadKeyCreate(body));
        ASSIGN_OR_RETURN(auto issued,
                         svc.service_accounts.CreateKey(session.caller, request.param("org"),
                                                        request.param("sa"), std::move(create)));
        return Issued(issued, svc.clock.Now(), status::created);
      });

  routes.Console(verb::post, "/api/orgs/{org}/service-accounts/{sa}/keys/{key}/rotate",
                 [svc](Request& request, const Session& session) -> Result<HttpResponse> {
                   ASSIGN_OR_RETURN(JsonBody body,
                                    JsonBody::Parse(request.msg, {"expires_at", "overlap_seconds"},
                                                    /*empty_ok=*/true));
                   ASSIGN_OR_RETURN(KeyRotation rotation, ReadKeyRotation(body));
                   ASSIGN_OR_RETURN(auto issued, svc.service_accounts.RotateKey(
                                                     session.caller, request.param("org"),
                                                     request.param("sa"), request.param("key"),
                                                     rotation.expires_at, rotation.overlap));
                   return Issued(issued, svc.clock.Now(), status::ok);
                 });

  routes.Console(verb::post, "/api/orgs/{org}/service-accounts/{sa}/keys/{key}/revoke",
                 [svc](Request& request, const Session& session) -> Result<HttpResponse> {
                   ASSIGN_OR_RETURN(auto key, svc.service_accounts.RevokeKey(
                                                  session.caller, request.param("org"),
                                                  request.param("sa"), request.param("key")));
                   return Json({{"key", KeyJson(key, svc.clock.Now())}});
                 });
}

}  // namespace tfzo::http
