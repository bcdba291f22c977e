#include <fmt/format.h>
#include <fmt/ranges.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/text_table.h"
#include "core/api_key.h"

namespace tfzo::cli {
namespace {

using nlohmann::json;

std::string Str(const json& j, const char* name, std::string_view fallback = "") {
  if (j.is_object()) {
    auto it = j.find(name);
    if (it != j.end() && it->is_string()) return it->get<std::string>();
  }
  return std::string(fallback);
}

// "2026-11-27T06:48:27Z (in 3 days)", or `none` for null.
std::string When(const json& j, const char* name, std::string_view none, Time now) {
  std::string text = Str(j, name);
  if (text.empty()) return std::string(none);
  auto t = ParseRfc3339(text);
  if (!t.ok()) return text;
  return fmt::format("{} ({})", text, RelativeTime(*t, now));
}

std::string OrgPath(const OrgRef& org) { return "/api/v1/orgs/" + EscapePathSegment(org.id); }

std::string OrgLabel(const OrgRef& org) {
  if (org.name.empty() || org.name == org.id) return org.id;
  return fmt::format("{} ({})", org.name, org.id);
}

// The array `field` of a list answer, or a bad_response error.
CliResult<json> ListField(const HttpResponse& response, const char* field) {
  CLI_ASSIGN_OR_RETURN(json j, CommandContext::ParseBody(response));
  if (!j.contains(field) || !j[field].is_array()) {
    return CliError(ExitCode::kError, "bad_response",
                    fmt::format("the server's answer has no \"{}\" list", field));
  }
  return j[field];
}

// The object `field` of an answer, or a bad_response error.
CliResult<json> ObjectField(const HttpResponse& response, const char* field) {
  CLI_ASSIGN_OR_RETURN(json j, CommandContext::ParseBody(response));
  if (!j.contains(field) || !j[field].is_object()) {
    return CliError(ExitCode::kError, "bad_response",
                    fmt::format("the server's answer has no \"{}\" object", field));
  }
  return j[field];
}

CliStatus PrintDeleted(CommandContext& context, std::string_view noun, const std::string& id,
                       const OrgRef& org) {
  if (context.json()) {
    context.PrintBody(json({{"deleted", true}, {"id", id}, {"org_id", org.id}}).dump());
  } else {
    context.out() << fmt::format("Deleted {} {} from organization {}\n", noun, id, OrgLabel(org));
  }
  return std::nullopt;
}

// GET .../{collection} in the resolved org, printed as a table (or the answer under --json).
CliStatus ListInOrg(CommandContext& context, const char* collection) {
  CLI_ASSIGN_OR_RETURN(OrgRef org, context.ResolveOrg());
  CLI_ASSIGN_OR_RETURN(HttpResponse r,
                       context.Call("GET", OrgPath(org) + "/" + collection, std::nullopt,
                                    context.invocation().org.value_or(org.name)));
  CLI_ASSIGN_OR_RETURN(json items, ListField(r, collection));
  if (context.json()) {
    context.PrintBody(r.body);
    return std::nullopt;
  }
  if (items.empty()) {
    context.err() << fmt::format("No {} in organization {}.\n", collection, OrgLabel(org));
    return std::nullopt;
  }
  const bool agents = std::string_view(collection) == "agents";
  TextTable table(agents ? std::vector<std::string>{"ID", "NAME", "HOST", "CREATED"}
                         : std::vector<std::string>{"ID", "NAME", "ADDRESS", "CREATED"});
  for (const json& item : items) {
    table.AddRow({Str(item, "id"), Str(item, "name"),
                  agents ? Str(item, "host_id", "-") : Str(item, "address"),
                  Str(item, "created_at")});
  }
  table.Print(context.out());
  return std::nullopt;
}

// The id of the host `wanted` (an id or an exact name) in `org`.
CliResult<std::string> ResolveHost(CommandContext& context, const OrgRef& org,
                                   const std::string& wanted) {
  CLI_ASSIGN_OR_RETURN(HttpResponse r, context.Call("GET", OrgPath(org) + "/hosts", std::nullopt,
                                                    context.invocation().org.value_or(org.name)));
  CLI_ASSIGN_OR_RETURN(json hosts, ListField(r, "hosts"));
  for (const json& h : hosts) {
    if (Str(h, "id") == wanted) return wanted;
  }
  for (const json& h : hosts) {
    if (Str(h, "name") == wanted) return Str(h, "id");
  }
  return CliError(
      ExitCode::kError, "not_found",
      fmt::format("no host \"{}\" (id or name) in organization {}", wanted, OrgLabel(org)),
      "`2501 hosts list` shows them; `2501 hosts create` registers one.");
}

CliResult<json> CreateAgentIn(CommandContext& context, const OrgRef& org, const std::string& name,
                              std::string* body_out) {
  json body = {{"name", name}};
  if (context.invocation().agent_host) {
    CLI_ASSIGN_OR_RETURN(std::string host_id,
                         ResolveHost(context, org, *context.invocation().agent_host));
    body["host_id"] = host_id;
  }
  CLI_ASSIGN_OR_RETURN(HttpResponse r, context.Call("POST", OrgPath(org) + "/agents", body,
                                                    context.invocation().org.value_or(org.name)));
  CLI_ASSIGN_OR_RETURN(json agent, ObjectField(r, "agent"));
  *body_out = r.body;
  return agent;
}

}  // namespace

CliStatus AuthStatus(CommandContext& context) {
  CLI_ASSIGN_OR_RETURN(const Me* me, context.GetMe());
  if (context.json()) {
    context.PrintBody(me->body);
    return std::nullopt;
  }
  const Settings& s = context.settings();
  const Time now = context.clock().Now();
  const json& account = me->json.contains("account") ? me->json["account"] : json::object();
  const json& key = me->json.contains("key") ? me->json["key"] : json::object();
  std::ostream& out = context.out();
  out << fmt::format("Authenticated to {} (profile \"{}\")\n", s.api_host.value, s.profile.value);
  out << fmt::format("  account:        {} <{}> ({})\n", Str(account, "name"),
                     Str(account, "email"), Str(account, "id"));
  std::string key_from =
      s.api_key.source == Source::kEnv ? "from TFZO_API_KEY" : "from the config file";
  out << fmt::format("  key:            {} ({}, {}, {})\n", Str(key, "name"),
                     Str(key, "hint", KeyHint(s.api_key.key.reveal())), Str(key, "id"), key_from);
  if (me->key_org_id) {
    out << fmt::format("  scope:          organization {} ({})\n", me->key_org_name,
                       *me->key_org_id);
  } else {
    out << "  scope:          all organizations\n";
  }
  out << fmt::format("  expires:        {}\n", When(key, "expires_at", "never", now));
  out << fmt::format("  last used:      {}\n", When(key, "last_used_at", "never", now));
  std::vector<std::string> orgs;
  for (const OrgRef& o : me->orgs) orgs.push_back(fmt::format("{} ({}, {})", o.name, o.id, o.role));
  out << fmt::format("  organizations:  {}\n",
                     orgs.empty() ? "none" : fmt::format("{}", fmt::join(orgs, ", ")));
  return std::nullopt;
}

CliStatus ListOrgs(CommandContext& context) {
  CLI_ASSIGN_OR_RETURN(const Me* me, context.GetMe());  // the key check and expiry warning
  (void)me;
  CLI_ASSIGN_OR_RETURN(HttpResponse r, context.Call("GET", "/api/v1/orgs"));
  CLI_ASSIGN_OR_RETURN(json orgs, ListField(r, "orgs"));
  if (context.json()) {
    context.PrintBody(r.body);
    return std::nullopt;
  }
  if (orgs.empty()) {
    context.err() << "No organization is reachable with this key.\n";
    return std::nullopt;
  }
  TextTable table({"ID", "NAME", "ROLE"});
  for (const json& o : orgs) table.AddRow({Str(o, "id"), Str(o, "name"), Str(o, "role")});
  table.Print(context.out());
  return std::nullopt;
}

CliStatus ListAgents(CommandContext& context) { return ListInOrg(context, "agents"); }
CliStatus ListHosts(CommandContext& context) { return ListInOrg(context, "hosts"); }

CliStatus CreateAgent(CommandContext& context) {
  CLI_ASSIGN_OR_RETURN(OrgRef org, context.ResolveOrg());
  std::string body;
  CLI_ASSIGN_OR_RETURN(json agent, CreateAgentIn(context, org, context.invocation().name, &body));
  if (context.json()) {
    context.PrintBody(body);
  } else {
    std::string host = Str(agent, "host_id");
    context.out() << fmt::format("Created agent {} ({}) in organization {}{}\n", Str(agent, "name"),
                                 Str(agent, "id"), OrgLabel(org),
                                 host.empty() ? "" : " on host " + host);
  }
  return std::nullopt;
}

CliStatus CreateHost(CommandContext& context) {
  CLI_ASSIGN_OR_RETURN(OrgRef org, context.ResolveOrg());
  json body = {{"name", context.invocation().name}, {"address", context.invocation().address}};
  CLI_ASSIGN_OR_RETURN(HttpResponse r, context.Call("POST", OrgPath(org) + "/hosts", body,
                                                    context.invocation().org.value_or(org.name)));
  CLI_ASSIGN_OR_RETURN(json host, ObjectField(r, "host"));
  if (context.json()) {
    context.PrintBody(r.body);
  } else {
    context.out() << fmt::format("Registered host {} ({}, {}) in organization {}\n",
                                 Str(host, "name"), Str(host, "id"), Str(host, "address"),
                                 OrgLabel(org));
  }
  return std::nullopt;
}

CliStatus RemoveAgent(CommandContext& context) {
  CLI_ASSIGN_OR_RETURN(OrgRef org, context.ResolveOrg());
  const std::string& id = context.invocation().name;
  CLI_ASSIGN_OR_RETURN(HttpResponse r,
                       context.Call("DELETE", OrgPath(org) + "/agents/" + EscapePathSegment(id),
                                    std::nullopt, context.invocation().org.value_or(org.name)));
  (void)r;
  return PrintDeleted(context, "agent", id, org);
}

CliStatus RemoveHost(CommandContext& context) {
  CLI_ASSIGN_OR_RETURN(OrgRef org, context.ResolveOrg());
  const std::string& id = context.invocation().name;
  CLI_ASSIGN_OR_RETURN(HttpResponse r,
                       context.Call("DELETE", OrgPath(org) + "/hosts/" + EscapePathSegment(id),
                                    std::nullopt, context.invocation().org.value_or(org.name)));
  (void)r;
  return PrintDeleted(context, "host", id, org);
}

CliStatus InitWorkspace(CommandContext& context) {
  std::error_code ec;
  const std::string dir = std::filesystem::current_path(ec).string();
  if (ec) {
    return CliError(ExitCode::kError, "io", "cannot read the current directory: " + ec.message());
  }
  const std::string& profile = context.settings().profile.value;
  CLI_ASSIGN_OR_RETURN(const Me* me, context.GetMe());  // the key check and expiry warning
  (void)me;
  if (auto existing = context.config().GetWorkspace(profile, dir)) {
    OrgRef ws_org{existing->org_id, existing->org_id, ""};
    auto r =
        context.Call("GET", OrgPath(ws_org) + "/agents/" + EscapePathSegment(existing->agent_id),
                     std::nullopt, existing->org_id);
    if (r.ok()) {
      if (context.json()) {
        context.PrintBody(r->body);
      } else {
        context.out() << fmt::format(
            "This directory is already set up: agent {} ({}) in organization {}\n",
            existing->agent_name, existing->agent_id, existing->org_id);
      }
      return std::nullopt;
    }
    if (r.error().code() != "not_found") return r.error();
    context.Note(
        fmt::format("the agent {} remembered for this directory no longer exists; "
                    "creating a new one",
                    existing->agent_id));
  }

  CLI_ASSIGN_OR_RETURN(OrgRef org, context.ResolveOrg());
  std::string name =
      context.invocation().init_name.value_or(std::filesystem::path(dir).filename().string());
  if (name.empty()) name = "workspace";
  std::string body;
  CLI_ASSIGN_OR_RETURN(json agent, CreateAgentIn(context, org, name, &body));
  context.config().SetWorkspace(profile, dir,
                                Workspace{Str(agent, "id"), Str(agent, "name"), org.id});
  Status st = context.config().Save();
  if (!st.ok()) {
    return CliError(
        ExitCode::kError, "config_write_failed",
        fmt::format("created agent {} but cannot remember it: {}", Str(agent, "id"), st.message()));
  }
  if (context.json()) {
    context.PrintBody(body);
  } else {
    context.out() << fmt::format("Created agent {} ({}) in organization {} for {}\n",
                                 Str(agent, "name"), Str(agent, "id"), OrgLabel(org), dir);
    context.out() << fmt::format("Remembered in {} (profile \"{}\")\n", context.config().path(),
                                 profile);
  }
  return std::nullopt;
}

}  // namespace tfzo::cli
