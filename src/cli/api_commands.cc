#include <fmt/format.h>
#include <fmt/ranges.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/key_access.h"
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

// "/api/v1/orgs/{org}/{collection}[/{id}]", the ids escaped.
std::string OrgPath(const OrgRef& org, std::string_view collection, std::string_view id = "") {
  std::string path = fmt::format("/api/v1/orgs/{}/{}", EscapePathSegment(org.id), collection);
  if (!id.empty()) path += "/" + EscapePathSegment(id);
  return path;
}

std::string OrgLabel(const OrgRef& org) {
  if (org.name.empty() || org.name == org.id) return org.id;
  return fmt::format("{} ({})", org.name, org.id);
}

// The name a 403 about `org` quotes: --org as typed, else the organization's name.
std::string AskedOrg(const CommandContext& context, const OrgRef& org) {
  return context.invocation().org.value_or(org.name);
}

// The array `field` of a list answer; else fails with bad_response.
Result<json> ListField(CommandContext& context, const HttpResponse& response, const char* field) {
  ASSIGN_OR_RETURN(json j, context.ParseBody(response));
  if (!j.contains(field) || !j[field].is_array()) {
    return context.Fail(CliError(ExitCode::kError, "bad_response",
                                 fmt::format("the server's answer has no \"{}\" list", field)));
  }
  return j[field];
}

// The object `field` of an answer; else fails with bad_response.
Result<json> ObjectField(CommandContext& context, const HttpResponse& response, const char* field) {
  ASSIGN_OR_RETURN(json j, context.ParseBody(response));
  if (!j.contains(field) || !j[field].is_object()) {
    return context.Fail(CliError(ExitCode::kError, "bad_response",
                                 fmt::format("the server's answer has no \"{}\" object", field)));
  }
  return j[field];
}

// GET .../{collection} in the resolved org, printed as a table (or the answer under --json).
Result<ExitCode> ListInOrg(CommandContext& context, const char* collection) {
  ASSIGN_OR_RETURN(OrgRef org, context.ResolveOrg());
  ASSIGN_OR_RETURN(HttpResponse r, context.Call("GET", OrgPath(org, collection), std::nullopt,
                                                AskedOrg(context, org)));
  ASSIGN_OR_RETURN(json items, ListField(context, r, collection));
  if (context.json()) {
    context.PrintBody(r.body);
    return ExitCode::kOk;
  }
  if (items.empty()) {
    context.err() << fmt::format("No {} in organization {}.\n", collection, OrgLabel(org));
    return ExitCode::kOk;
  }
  const bool agents = std::string_view(collection) == "agents";
  TextTable table({"ID", "NAME", agents ? "HOST" : "ADDRESS", "CREATED"});
  for (const json& item : items) {
    table.AddRow({Str(item, "id"), Str(item, "name"),
                  agents ? Str(item, "host_id", "-") : Str(item, "address"),
                  Str(item, "created_at")});
  }
  table.Print(context.out());
  return ExitCode::kOk;
}

// DELETE .../{collection}/{ID} in the resolved org; the server answers 204, so the CLI prints.
Result<ExitCode> RemoveInOrg(CommandContext& context, std::string_view collection,
                             std::string_view noun) {
  ASSIGN_OR_RETURN(OrgRef org, context.ResolveOrg());
  const std::string& id = context.invocation().name;
  RETURN_IF_ERROR(
      context.Call("DELETE", OrgPath(org, collection, id), std::nullopt, AskedOrg(context, org))
          .status());
  if (context.json()) {
    context.PrintBody(json({{"deleted", true}, {"id", id}, {"org_id", org.id}}).dump());
  } else {
    context.out() << fmt::format("Deleted {} {} from organization {}\n", noun, id, OrgLabel(org));
  }
  return ExitCode::kOk;
}

// The id of the host `wanted` (an id or an exact name) in `org`.
Result<std::string> ResolveHost(CommandContext& context, const OrgRef& org,
                                const std::string& wanted) {
  ASSIGN_OR_RETURN(HttpResponse r, context.Call("GET", OrgPath(org, "hosts"), std::nullopt,
                                                AskedOrg(context, org)));
  ASSIGN_OR_RETURN(json hosts, ListField(context, r, "hosts"));
  for (const json& h : hosts) {
    if (Str(h, "id") == wanted) return wanted;
  }
  for (const json& h : hosts) {
    if (Str(h, "name") == wanted) return Str(h, "id");
  }
  return context.Fail(
      CliError(ExitCode::kError, "not_found",
               fmt::format("no host \"{}\" (id or name) in organization {}", wanted, OrgLabel(org)),
               "`2501 hosts list` shows them; `2501 hosts create` registers one."));
}

// An agent created by the server, and its answer as received.
struct CreatedAgent {
  json agent;
  std::string body;
};

Result<CreatedAgent> CreateAgentIn(CommandContext& context, const OrgRef& org,
                                   const std::string& name) {
  json body = {{"name", name}};
  if (const std::optional<std::string>& host = context.invocation().agent_host) {
    ASSIGN_OR_RETURN(body["host_id"], ResolveHost(context, org, *host));
  }
  ASSIGN_OR_RETURN(HttpResponse r,
                   context.Call("POST", OrgPath(org, "agents"), body, AskedOrg(context, org)));
  ASSIGN_OR_RETURN(json agent, ObjectField(context, r, "agent"));
  return CreatedAgent{std::move(agent), std::move(r.body)};
}

// The agent `init` remembered for `dir`, when the server still has it: printed, true. False when
// there is none or it was deleted meanwhile (then a note says a new one is created).
Result<bool> ShowRememberedAgent(CommandContext& context, const std::string& dir) {
  auto existing = context.config().GetWorkspace(context.settings().profile.value, dir);
  if (!existing) return false;
  OrgRef org{existing->org_id, existing->org_id, "", ""};
  ASSIGN_OR_RETURN(HttpResponse r, context.Send("GET", OrgPath(org, "agents", existing->agent_id)));
  if (r.status >= 200 && r.status < 300) {
    if (context.json()) {
      context.PrintBody(r.body);
    } else {
      context.out() << fmt::format(
          "This directory is already set up: agent {} ({}) in organization {}\n",
          existing->agent_name, existing->agent_id, existing->org_id);
    }
    return true;
  }
  CliError error = context.ErrorFor(r, existing->org_id);
  if (error.code() != "not_found") return context.Fail(std::move(error));
  context.Note(
      fmt::format("the agent {} remembered for this directory no longer exists; creating a new one",
                  existing->agent_id));
  return false;
}

}  // namespace

Result<ExitCode> AuthStatus(CommandContext& context) {
  ASSIGN_OR_RETURN(const Me* me, context.GetMe());
  if (context.json()) {
    context.PrintBody(me->body);
    return ExitCode::kOk;
  }
  const Settings& s = context.settings();
  const Time now = context.clock().Now();
  const json& account = me->json.contains("account") ? me->json["account"] : json::object();
  // A service account's key: "account" is null and "service_account" names it.
  const json& service =
      me->json.contains("service_account") ? me->json["service_account"] : json(nullptr);
  const json& key = me->json.contains("key") ? me->json["key"] : json::object();
  std::ostream& out = context.out();
  out << fmt::format("Authenticated to {} (profile \"{}\")\n", s.api_host.value, s.profile.value);
  if (service.is_object()) {
    out << fmt::format("  service account: {} ({}, of organization {})\n", Str(service, "name"),
                       Str(service, "id"), Str(service, "org_id"));
  } else {
    out << fmt::format("  account:        {} <{}> ({})\n", Str(account, "name"),
                       Str(account, "email"), Str(account, "id"));
  }
  std::string key_from =
      s.api_key.source == Source::kEnv ? "from TFZO_API_KEY" : "from the config file";
  out << fmt::format("  key:            {} ({}, {}, {})\n", Str(key, "name"),
                     Str(key, "hint", KeyHint(s.api_key.key.reveal())), Str(key, "id"), key_from);
  if (me->key_org_id) {
    std::string handle;
    for (const OrgRef& o : me->orgs) {
      if (o.id == *me->key_org_id) handle = o.handle + ", ";
    }
    out << fmt::format("  scope:          organization {} ({}{})\n", me->key_org_name, handle,
                       *me->key_org_id);
  } else {
    out << "  scope:          all organizations\n";
  }
  if (std::string perms = PermissionsLine(key); !perms.empty()) {
    out << fmt::format("  permissions:    {}\n", perms);
  }
  if (std::string ips = AllowedIpsLine(key); !ips.empty()) {
    out << fmt::format("  allowed from:   {}\n", ips);
  }
  out << fmt::format("  expires:        {}\n", When(key, "expires_at", "never", now));
  if (!Str(key, "previous_valid_until").empty()) {
    // A rotation's overlap: the value before the last rotation still works until then.
    out << fmt::format("  previous value: valid until {}\n",
                       When(key, "previous_valid_until", "", now));
  }
  // The use before this check: /me's own request is a use, so its last_used_at is now.
  if (key.contains("previous_used_at")) {
    out << fmt::format("  last used:      {}\n",
                       When(key, "previous_used_at", "never (before this check)", now));
  } else {
    out << fmt::format("  last used:      {}\n", When(key, "last_used_at", "never", now));
  }
  // What needs attention about the key (its flags), one per line, with what to do.
  const std::vector<std::string> flags = FlagLines(key);
  for (size_t i = 0; i < flags.size(); ++i) {
    out << fmt::format("  {}{}\n", i == 0 ? "attention:      " : "                ", flags[i]);
  }
  std::vector<std::string> orgs;
  for (const OrgRef& o : me->orgs) {
    orgs.push_back(fmt::format("{} ({}, {}, {})", o.name, o.handle, o.id, o.role));
  }
  out << fmt::format("  organizations:  {}\n",
                     orgs.empty() ? "none" : fmt::format("{}", fmt::join(orgs, ", ")));
  return ExitCode::kOk;
}

Result<ExitCode> ListOrgs(CommandContext& context) {
  RETURN_IF_ERROR(context.GetMe().status());  // the key check and expiry warning
  ASSIGN_OR_RETURN(HttpResponse r, context.Call("GET", "/api/v1/orgs"));
  ASSIGN_OR_RETURN(json orgs, ListField(context, r, "orgs"));
  if (context.json()) {
    context.PrintBody(r.body);
    return ExitCode::kOk;
  }
  if (orgs.empty()) {
    context.err() << "No organization is reachable with this key.\n";
    return ExitCode::kOk;
  }
  TextTable table({"HANDLE", "NAME", "ROLE", "ID"});
  for (const json& o : orgs) {
    table.AddRow({Str(o, "handle"), Str(o, "name"), Str(o, "role"), Str(o, "id")});
  }
  table.Print(context.out());
  return ExitCode::kOk;
}

Result<ExitCode> ListAgents(CommandContext& context) { return ListInOrg(context, "agents"); }
Result<ExitCode> ListHosts(CommandContext& context) { return ListInOrg(context, "hosts"); }

Result<ExitCode> RemoveAgent(CommandContext& context) {
  return RemoveInOrg(context, "agents", "agent");
}
Result<ExitCode> RemoveHost(CommandContext& context) {
  return RemoveInOrg(context, "hosts", "host");
}

Result<ExitCode> CreateAgent(CommandContext& context) {
  ASSIGN_OR_RETURN(OrgRef org, context.ResolveOrg());
  ASSIGN_OR_RETURN(CreatedAgent created, CreateAgentIn(context, org, context.invocation().name));
  if (context.json()) {
    context.PrintBody(created.body);
  } else {
    const json& agent = created.agent;
    std::string host = Str(agent, "host_id");
    context.out() << fmt::format("Created agent {} ({}) in organization {}{}\n", Str(agent, "name"),
                                 Str(agent, "id"), OrgLabel(org),
                                 host.empty() ? "" : " on host " + host);
  }
  return ExitCode::kOk;
}

Result<ExitCode> CreateHost(CommandContext& context) {
  ASSIGN_OR_RETURN(OrgRef org, context.ResolveOrg());
  json body = {{"name", context.invocation().name}, {"address", context.invocation().address}};
  ASSIGN_OR_RETURN(HttpResponse r,
                   context.Call("POST", OrgPath(org, "hosts"), body, AskedOrg(context, org)));
  ASSIGN_OR_RETURN(json host, ObjectField(context, r, "host"));
  if (context.json()) {
    context.PrintBody(r.body);
  } else {
    context.out() << fmt::format("Registered host {} ({}, {}) in organization {}\n",
                                 Str(host, "name"), Str(host, "id"), Str(host, "address"),
                                 OrgLabel(org));
  }
  return ExitCode::kOk;
}

Result<ExitCode> InitWorkspace(CommandContext& context) {
  std::error_code ec;
  const std::string dir = std::filesystem::current_path(ec).string();
  if (ec) {
    return context.Fail(
        CliError(ExitCode::kError, "io", "cannot read the current directory: " + ec.message()));
  }
  RETURN_IF_ERROR(context.GetMe().status());  // the key check and expiry warning
  ASSIGN_OR_RETURN(bool remembered, ShowRememberedAgent(context, dir));
  if (remembered) return ExitCode::kOk;

  ASSIGN_OR_RETURN(OrgRef org, context.ResolveOrg());
  std::string name =
      context.invocation().init_name.value_or(std::filesystem::path(dir).filename().string());
  if (name.empty()) name = "workspace";
  ASSIGN_OR_RETURN(CreatedAgent created, CreateAgentIn(context, org, name));
  const json& agent = created.agent;
  const std::string& profile = context.settings().profile.value;
  context.config().SetWorkspace(profile, dir,
                                Workspace{Str(agent, "id"), Str(agent, "name"), org.id});
  if (Status st = context.config().Save(); !st.ok()) {
    return context.Fail(CliError(ExitCode::kError, "config_write_failed",
                                 fmt::format("created agent {} but cannot remember it: {}",
                                             Str(agent, "id"), st.message())));
  }
  if (context.json()) {
    context.PrintBody(created.body);
  } else {
    context.out() << fmt::format("Created agent {} ({}) in organization {} for {}\n",
                                 Str(agent, "name"), Str(agent, "id"), OrgLabel(org), dir);
    context.out() << fmt::format("Remembered in {} (profile \"{}\")\n", context.config().path(),
                                 profile);
  }
  return ExitCode::kOk;
}

}  // namespace tfzo::cli
