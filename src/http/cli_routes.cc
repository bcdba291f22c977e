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

// The account's organizations by name only: a key learns what it may name with --org, not
// the role or rules of organizations it cannot reach.
json AccountOrgsJson(const std::vector<MembershipRecord>& orgs) {
  json list = json::array();
  for (const auto& m : orgs) {
    list.push_back({{"id", m.org_id}, {"name", m.org_name}, {"handle", m.org_handle}});
  }
  return list;
}

}  // namespace

MeService::Parts RenderMeParts(const MeService::Me& me) {
  // The field, with a value no text field can hold (they are free of control characters),
  // marks the gap; quotes inside text are escaped, so the marked field is found only here.
  constexpr std::string_view kMarked = R"("last_used_at":"\u0001")";
  constexpr size_t kValueAt = std::string_view(R"("last_used_at":)").size();
  json key = KeyJson(me.key, me.now);
  key["last_used_at"] = "\x01";
  // A service account's key acts for no person: "account" is null, "service_account" names it
  // (its org is the key's scope, always set).
  const bool service = me.key.service_account_name.has_value();
  const json service_account =
      service ? json({{"id", me.key.account_id},
                      {"name", me.account.name},
                      {"org_id", me.key.org_id ? json(*me.key.org_id) : json(nullptr)}})
              : json(nullptr);
  std::string body = Dump({{"account", service ? json(nullptr) : AccountJson(me.account)},
                           {"service_account", service_account},
                           {"key", std::move(key)},
                           {"orgs", OrgsJson(me.orgs)},
                           {"account_orgs", AccountOrgsJson(me.account_orgs)}});
  const size_t gap = body.find(kMarked) + kValueAt;
  body.erase(gap, kMarked.size() - kValueAt);
  return {.body = std::move(body), .gap = gap};
}

void RenderLastUsed(std::optional<Time> t, std::string& out) {
  if (!t) {
    out += "null";
    return;
  }
  // Most answers show the current second: formatted once per second and thread.
  thread_local Time formatted_at{};
  thread_local std::string formatted = R"("1970-01-01T00:00:00Z")";
  if (*t != formatted_at) {
    formatted = '"' + FormatRfc3339(*t) + '"';
    formatted_at = *t;
  }
  out += formatted;
}

void RenderPreviousUse(std::optional<Time> t, std::string& out) {
  out += R"(,"previous_used_at":)";
  out += t ? '"' + FormatRfc3339(*t) + '"' : std::string("null");
}

void AddCliRoutes(Routes& routes, const CliServices& svc) {
  routes.Cli(
      verb::get, "/api/v1/me", std::nullopt,
      [svc](Request&, const KeyState& key) -> Result<HttpResponse> {
        ASSIGN_OR_RETURN(std::string body, svc.me.Answer(key));
        return JsonResponse(status::ok, std::move(body));
      },
      /*may_run_inline=*/true);

  routes.Cli(
      verb::get, "/api/v1/orgs", Permission::kOrgsRead,
      [svc](Request&, const KeyState& key) -> Result<HttpResponse> {
        ASSIGN_OR_RETURN(auto orgs, svc.me.ReachableOrgs(key));
        return Json({{"orgs", OrgsJson(orgs)}});
      },
      /*may_run_inline=*/true);

  routes.Cli(verb::get, "/api/v1/orgs/{org}/agents", Permission::kAgentsRead,
             InOrg(svc.verifier, [svc](Request& request, const KeyState&) -> Result<HttpResponse> {
               ASSIGN_OR_RETURN(auto agents, svc.resources.ListAgents(request.param("org")));
               json list = json::array();
               for (const auto& a : agents) list.push_back(AgentJson(a));
               return Json({{"agents", std::move(list)}});
             }));

  routes.Cli(verb::post, "/api/v1/orgs/{org}/agents", Permission::kAgentsWrite,
             InOrg(svc.verifier, [svc](Request& request, const KeyState&) -> Result<HttpResponse> {
               ASSIGN_OR_RETURN(JsonBody body, JsonBody::Parse(request.msg, {"name", "host_id"}));
               ASSIGN_OR_RETURN(std::string name, body.RequiredString("name"));
               ASSIGN_OR_RETURN(auto host_id, body.OptionalString("host_id"));
               ASSIGN_OR_RETURN(auto agent,
                                svc.resources.CreateAgent(request.param("org"), std::move(name),
                                                          std::move(host_id)));
               return Json({{"agent", AgentJson(agent)}}, status::created);
             }));

  routes.Cli(verb::get, "/api/v1/orgs/{org}/agents/{id}", Permission::kAgentsRead,
             InOrg(svc.verifier, [svc](Request& request, const KeyState&) -> Result<HttpResponse> {
               ASSIGN_OR_RETURN(auto agent,
                                svc.resources.GetAgent(request.param("org"), request.param("id")));
               return Json({{"agent", AgentJson(agent)}});
             }));

  routes.Cli(
      verb::delete_, "/api/v1/orgs/{org}/agents/{id}", Permission::kAgentsWrite,
      InOrg(svc.verifier, [svc](Request& request, const KeyState&) -> Result<HttpResponse> {
        RETURN_IF_ERROR(svc.resources.DeleteAgent(request.param("org"), request.param("id")));
        return HttpResponse{status::no_content, 11};
      }));

  routes.Cli(verb::get, "/api/v1/orgs/{org}/hosts", Permission::kHostsRead,
             InOrg(svc.verifier, [svc](Request& request, const KeyState&) -> Result<HttpResponse> {
               ASSIGN_OR_RETURN(auto hosts, svc.resources.ListHosts(request.param("org")));
               json list = json::array();
               for (const auto& h : hosts) list.push_back(HostJson(h));
               return Json({{"hosts", std::move(list)}});
             }));

  routes.Cli(verb::post, "/api/v1/orgs/{org}/hosts", Permission::kHostsWrite,
             InOrg(svc.verifier, [svc](Request& request, const KeyState&) -> Result<HttpResponse> {
               ASSIGN_OR_RETURN(JsonBody body, JsonBody::Parse(request.msg, {"name", "address"}));
               ASSIGN_OR_RETURN(std::string name, body.RequiredString("name"));
               ASSIGN_OR_RETURN(std::string address, body.RequiredString("address"));
               ASSIGN_OR_RETURN(auto host,
                                svc.resources.CreateHost(request.param("org"), std::move(name),
                                                         std::move(address)));
               return Json({{"host", HostJson(host)}}, status::created);
             }));

  routes.Cli(verb::get, "/api/v1/orgs/{org}/hosts/{id}", Permission::kHostsRead,
             InOrg(svc.verifier, [svc](Request& request, const KeyState&) -> Result<HttpResponse> {
               ASSIGN_OR_RETURN(auto host,
                                svc.resources.GetHost(request.param("org"), request.param("id")));
               return Json({{"host", HostJson(host)}});
             }));

  routes.Cli(verb::delete_, "/api/v1/orgs/{org}/hosts/{id}", Permission::kHostsWrite,
             InOrg(svc.verifier, [svc](Request& request, const KeyState&) -> Result<HttpResponse> {
               RETURN_IF_ERROR(svc.resources.DeleteHost(request.param("org"), request.param("id")));
               return HttpResponse{status::no_content, 11};
             }));
}

}  // namespace tfzo::http
