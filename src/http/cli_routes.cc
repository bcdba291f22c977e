#include "http/cli_routes.h"

namespace tfzo::http {

using beast_http::status;
using beast_http::verb;

namespace {

// A handler of a route under /api/v1/orgs/{org}/: runs only when the key reaches {org} now
// (docs/spec/API.md's scope rules, KeyVerifier::CheckOrgAccess).
Routes::CliHandler InOrg(KeyVerifier& verifier, Routes::CliHandler handler) {
  return [&verifier, handler = std::move(handler)](Request& request,
                                                   const KeyState& key) -> Result<HttpResponse> {
    RETURN_IF_ERROR(verifier.CheckOrgAccess(key, request.param("org")));
    return handler(request, key);
  };
}

json OrgsJson(const std::vector<MembershipRecord>& orgs) {
  json list = json::array();
  for (const auto& m : orgs) list.push_back(OrgJson(m));
  return list;
}

}  // namespace

std::string RenderMe(const MeService::Me& me) {
  json key = KeyJson(me.key, me.now);
  key["last_used_at"] = TimeJson(me.last_used);
  return Dump(
      {{"account", AccountJson(me.account)}, {"key", std::move(key)}, {"orgs", OrgsJson(me.orgs)}});
}

void AddCliRoutes(Routes& routes, const CliServices& svc) {
  routes.Cli(
      verb::get, "/api/v1/me",
      [svc](Request&, const KeyState& key) -> Result<HttpResponse> {
        ASSIGN_OR_RETURN(std::string body, svc.me.Answer(key));
        return JsonResponse(status::ok, std::move(body));
      },
      /*may_run_inline=*/true);

  routes.Cli(
      verb::get, "/api/v1/orgs",
      [svc](Request&, const KeyState& key) -> Result<HttpResponse> {
        ASSIGN_OR_RETURN(auto orgs, svc.me.ReachableOrgs(key));
        return Json({{"orgs", OrgsJson(orgs)}});
      },
      /*may_run_inline=*/true);

  routes.Cli(verb::get, "/api/v1/orgs/{org}/agents",
             InOrg(svc.verifier, [svc](Request& request, const KeyState&) -> Result<HttpResponse> {
               ASSIGN_OR_RETURN(auto agents, svc.resources.ListAgents(request.param("org")));
               json list = json::array();
               for (const auto& a : agents) list.push_back(AgentJson(a));
               return Json({{"agents", std::move(list)}});
             }));

  routes.Cli(verb::post, "/api/v1/orgs/{org}/agents",
             InOrg(svc.verifier, [svc](Request& request, const KeyState&) -> Result<HttpResponse> {
               ASSIGN_OR_RETURN(JsonBody body, JsonBody::Parse(request.msg, {"name", "host_id"}));
               ASSIGN_OR_RETURN(std::string name, body.RequiredString("name"));
               ASSIGN_OR_RETURN(auto host_id, body.OptionalString("host_id"));
               ASSIGN_OR_RETURN(auto agent,
                                svc.resources.CreateAgent(request.param("org"), std::move(name),
                                                          std::move(host_id)));
               return Json({{"agent", AgentJson(agent)}}, status::created);
             }));

  routes.Cli(verb::get, "/api/v1/orgs/{org}/agents/{id}",
             InOrg(svc.verifier, [svc](Request& request, const KeyState&) -> Result<HttpResponse> {
               ASSIGN_OR_RETURN(auto agent,
                                svc.resources.GetAgent(request.param("org"), request.param("id")));
               return Json({{"agent", AgentJson(agent)}});
             }));

  routes.Cli(
      verb::delete_, "/api/v1/orgs/{org}/agents/{id}",
      InOrg(svc.verifier, [svc](Request& request, const KeyState&) -> Result<HttpResponse> {
        RETURN_IF_ERROR(svc.resources.DeleteAgent(request.param("org"), request.param("id")));
        return HttpResponse{status::no_content, 11};
      }));

  routes.Cli(verb::get, "/api/v1/orgs/{org}/hosts",
             InOrg(svc.verifier, [svc](Request& request, const KeyState&) -> Result<HttpResponse> {
               ASSIGN_OR_RETURN(auto hosts, svc.resources.ListHosts(request.param("org")));
               json list = json::array();
               for (const auto& h : hosts) list.push_back(HostJson(h));
               return Json({{"hosts", std::move(list)}});
             }));

  routes.Cli(verb::post, "/api/v1/orgs/{org}/hosts",
             InOrg(svc.verifier, [svc](Request& request, const KeyState&) -> Result<HttpResponse> {
               ASSIGN_OR_RETURN(JsonBody body, JsonBody::Parse(request.msg, {"name", "address"}));
               ASSIGN_OR_RETURN(std::string name, body.RequiredString("name"));
               ASSIGN_OR_RETURN(std::string address, body.RequiredString("address"));
               ASSIGN_OR_RETURN(auto host,
                                svc.resources.CreateHost(request.param("org"), std::move(name),
                                                         std::move(address)));
               return Json({{"host", HostJson(host)}}, status::created);
             }));

  routes.Cli(verb::get, "/api/v1/orgs/{org}/hosts/{id}",
             InOrg(svc.verifier, [svc](Request& request, const KeyState&) -> Result<HttpResponse> {
               ASSIGN_OR_RETURN(auto host,
                                svc.resources.GetHost(request.param("org"), request.param("id")));
               return Json({{"host", HostJson(host)}});
             }));

  routes.Cli(verb::delete_, "/api/v1/orgs/{org}/hosts/{id}",
             InOrg(svc.verifier, [svc](Request& request, const KeyState&) -> Result<HttpResponse> {
               RETURN_IF_ERROR(svc.resources.DeleteHost(request.param("org"), request.param("id")));
               return HttpResponse{status::no_content, 11};
             }));
}

}  // namespace tfzo::http
