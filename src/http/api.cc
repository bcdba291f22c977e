#include "http/api.h"

#include <fmt/format.h>
#include <sodium.h>
#include <spdlog/spdlog.h>

#include <charconv>
#include <chrono>

#include "core/secret.h"

namespace tfzo::http {

using beast_http::field;
using beast_http::status;
using beast_http::verb;

namespace {

bool IsBearerPath(std::string_view path) { return path.starts_with("/api/v1/"); }

// The value of cookie `name` in the request's Cookie headers, or "".
std::string_view CookieValue(const HttpRequest& msg, std::string_view name) {
  for (auto it = msg.find(field::cookie); it != msg.end() && it->name() == field::cookie; ++it) {
    std::string_view rest = it->value();
    while (!rest.empty()) {
      const size_t semi = rest.find(';');
      std::string_view pair = rest.substr(0, semi);
      while (!pair.empty() && pair.front() == ' ') pair.remove_prefix(1);
      const size_t eq = pair.find('=');
      if (eq != std::string_view::npos && pair.substr(0, eq) == name) return pair.substr(eq + 1);
      if (semi == std::string_view::npos) break;
      rest.remove_prefix(semi + 1);
    }
  }
  return {};
}

bool ConstantTimeEquals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

bool IsStateChanging(verb method) {
  return method == verb::post || method == verb::patch || method == verb::delete_ ||
         method == verb::put;
}

}  // namespace

Api::Api(Services services, StaticFiles& static_files, Metrics& metrics, Options options)
    : s_(services), static_files_(static_files), metrics_(metrics), options_(options) {
  AddConsoleRoutes();
  AddCliRoutes();
  AddOpsRoutes();
}

HttpResponse Api::Json(const json& body, status st) const { return JsonResponse(st, Dump(body)); }

std::string Api::SessionCookieName() const {
  return options_.secure_cookie ? "__Host-tfzo_session" : "tfzo_session";
}

HttpResponse Api::Handle(Request& request) { return *Dispatch(request, false); }

std::optional<HttpResponse> Api::TryHandleInline(Request& request) {
  return Dispatch(request, true);
}

std::optional<HttpResponse> Api::Dispatch(Request& request, bool cache_only) {
  const auto started = std::chrono::steady_clock::now();
  const std::string_view target = request.msg.target();
  const size_t q = target.find('?');
  request.path = target.substr(0, q);
  request.query = q == std::string_view::npos ? std::string_view() : target.substr(q + 1);
  const bool api_path = request.path.starts_with("/api/");

  if (!request.path.starts_with('/')) {  // "GET ?x" or an absolute-form target
    if (cache_only) return std::nullopt;
    request.path = "/";
    return Finish(request, "unknown",
                  ErrorResponse(InvalidRequest("request: the target must be a path")), started);
  }
  Router::Match match = router_.Find(request.msg.method(), request.path, request.params);
  if (cache_only && (match.handler == nullptr || !match.may_run_inline)) return std::nullopt;
  HttpResponse res;
  std::string_view route = match.pattern;
  if (match.handler != nullptr) {
    try {
      if (cache_only) {
        KeyVerifier::CacheOnlyScope scope;
        res = (*match.handler)(request);
        if (scope.missed()) return std::nullopt;
      } else {
        res = (*match.handler)(request);
      }
    } catch (const std::exception& e) {
      spdlog::error("request {} failed: {}", request.request_id, e.what());
      res = ErrorResponse(Internal("unexpected exception"), IsBearerPath(request.path));
    }
  } else if (!match.allow.empty()) {
    res = ErrorResponse(
        Status(StatusCode::kMethodNotAllowed, "This path answers " + match.allow + " only."),
        IsBearerPath(request.path));
    res.set(field::allow, match.allow);
  } else if (!api_path &&
             (request.msg.method() == verb::get || request.msg.method() == verb::head)) {
    res = static_files_.Serve(request.path);
    route = res.result() == status::ok ? "static" : "unknown";
  } else {
    route = "unknown";
    res =
        ErrorResponse(NotFound("No such path: see the API reference."), IsBearerPath(request.path));
  }

  return Finish(request, route, std::move(res), started);
}

HttpResponse Api::Finish(Request& request, std::string_view route, HttpResponse res,
                         std::chrono::steady_clock::time_point started) {
  res.version(request.msg.version());
  res.keep_alive(request.msg.keep_alive());
  res.set("X-Request-Id", request.request_id);
  res.set("X-Content-Type-Options", "nosniff");
  res.set("X-Frame-Options", "DENY");
  res.set("Referrer-Policy", "no-referrer");
  res.set("Content-Security-Policy", StaticFiles::kContentSecurityPolicy);
  if (route != "static") res.set(field::cache_control, "no-store");
  if (request.msg.method() == verb::head) res.body().clear();

  if (!request.key_check.empty()) metrics_.RecordKeyCheck(request.key_check);
  if (res.result() == status::too_many_requests) {
    metrics_.RecordRateLimited(route == "/api/login" ? "login" : "key");
  }
  metrics_.RecordRequest(route, request.msg.method_string(), res.result_int(),
                         std::chrono::steady_clock::now() - started);
  return res;
}

// ---- Authentication -------------------------------------------------------------------

Result<Api::Session> Api::ConsoleSession(Request& request) {
  auto auth = request.msg.find(field::authorization);
  if (auth != request.msg.end()) {
    return Status(StatusCode::kSessionRequired,
                  "API keys cannot be used here: keys are managed from a signed-in console "
                  "session only.");
  }
  std::string_view token = CookieValue(request.msg, SessionCookieName());
  ASSIGN_OR_RETURN(AccountService::SessionInfo info, s_.accounts.Authenticate(token));
  if (IsStateChanging(request.msg.method())) {
    auto csrf = request.msg.find("X-CSRF-Token");
    if (csrf == request.msg.end() || !ConstantTimeEquals(csrf->value(), info.csrf_token)) {
      return Status(StatusCode::kCsrfFailed,
                    "Missing or wrong X-CSRF-Token header: reload the page and try again.");
    }
  }
  Caller caller{info.account.id, request.remote_ip};
  return Session{std::move(info), std::move(caller)};
}

Result<KeyState> Api::BearerKey(Request& request) {
  auto auth = request.msg.find(field::authorization);
  const Status none(StatusCode::kUnauthenticated,
                    "No API key: send the header \"Authorization: Bearer tfzo_...\".");
  if (auth == request.msg.end()) return none;
  std::string_view value = auth->value();
  if (value.size() < 7 || !boost::beast::iequals(value.substr(0, 7), "Bearer ")) return none;
  auto state = s_.verifier.Verify(value.substr(7));
  request.key_check = state.ok() ? "valid" : CodeName(state.status().code());
  const StatusCode code = state.status().code();
  if (s_.key_failures != nullptr &&
      (code == StatusCode::kKeyMalformed || code == StatusCode::kKeyInvalid)) {
    // Guessing keys from one address: after too many unknown keys, stop answering which.
    s_.key_failures->RecordFailure(request.remote_ip);
    const auto wait = s_.key_failures->RetryAfter(request.remote_ip);
    if (wait.count() > 0) {
      return RateLimited("Too many unknown API keys from this address: try again later.",
                         static_cast<int>(wait.count()));
    }
  }
  return state;
}

void Api::Public(verb method, std::string pattern, PublicHandler handler, bool may_run_inline) {
  const bool bearer_path = IsBearerPath(pattern);
  router_.Add(
      method, std::move(pattern),
      [bearer_path, handler = std::move(handler)](Request& request) {
        auto res = handler(request);
        return res.ok() ? std::move(res).value() : ErrorResponse(res.status(), bearer_path);
      },
      may_run_inline);
}

void Api::Console(verb method, std::string pattern, ConsoleHandler handler) {
  router_.Add(method, std::move(pattern), [this, handler = std::move(handler)](Request& request) {
    auto session = ConsoleSession(request);
    if (!session.ok()) return ErrorResponse(session.status());
    auto res = handler(request, *session);
    return res.ok() ? std::move(res).value() : ErrorResponse(res.status());
  });
}

void Api::Cli(verb method, std::string pattern, bool org_scoped, CliHandler handler,
              bool may_run_inline) {
  router_.Add(
      method, std::move(pattern),
      [this, org_scoped, handler = std::move(handler)](Request& request) {
        auto key = BearerKey(request);
        if (!key.ok()) return ErrorResponse(key.status(), true);
        if (org_scoped) {
          Status access = s_.verifier.CheckOrgAccess(*key, request.param("org"));
          if (!access.ok()) return ErrorResponse(access, true);
        }
        auto res = handler(request, *key);
        return res.ok() ? std::move(res).value() : ErrorResponse(res.status(), true);
      },
      may_run_inline);
}

HttpResponse Api::SessionStarted(status st, const AccountService::SessionGrant& grant) {
  HttpResponse res =
      Json({{"account", AccountJson(grant.account)}, {"csrf_token", grant.csrf_token}}, st);
  std::string cookie =
      SessionCookieName() + "=" + grant.token.reveal() + "; HttpOnly; SameSite=Strict; Path=/";
  if (options_.secure_cookie) cookie += "; Secure";
  res.set(field::set_cookie, cookie);
  return res;
}

// ---- Console: account, session, audit -------------------------------------------------

void Api::AddConsoleRoutes() {
  Public(verb::post, "/api/signup", [this](Request& request) -> Result<HttpResponse> {
    ASSIGN_OR_RETURN(JsonBody body,
                     JsonBody::Parse(request.msg.body(), {"email", "password", "name"}));
    ASSIGN_OR_RETURN(std::string email, body.RequiredString("email"));
    ASSIGN_OR_RETURN(std::string password, body.RequiredString("password"));
    ASSIGN_OR_RETURN(std::optional<std::string> name, body.OptionalString("name"));
    ASSIGN_OR_RETURN(auto grant, s_.accounts.Signup(email, Secret(std::move(password)),
                                                    name.value_or(""), request.remote_ip));
    return SessionStarted(status::created, grant);
  });

  Public(verb::post, "/api/login", [this](Request& request) -> Result<HttpResponse> {
    ASSIGN_OR_RETURN(JsonBody body, JsonBody::Parse(request.msg.body(), {"email", "password"}));
    ASSIGN_OR_RETURN(std::string email, body.RequiredString("email"));
    ASSIGN_OR_RETURN(std::string password, body.RequiredString("password"));
    ASSIGN_OR_RETURN(auto grant,
                     s_.accounts.Login(email, Secret(std::move(password)), request.remote_ip));
    return SessionStarted(status::ok, grant);
  });

  Console(verb::get, "/api/session",
          [this](Request&, const Session& session) -> Result<HttpResponse> {
            const auto& max = s_.keys.options().max_lifetime_days;
            return Json({{"account", AccountJson(session.info.account)},
                         {"csrf_token", session.info.csrf_token},
                         {"max_key_lifetime_days", max ? json(*max) : json(nullptr)}});
          });

  Console(verb::post, "/api/logout",
          [this](Request& request, const Session&) -> Result<HttpResponse> {
            RETURN_IF_ERROR(s_.accounts.Logout(CookieValue(request.msg, SessionCookieName())));
            HttpResponse res{status::no_content, 11};
            std::string cookie =
                SessionCookieName() + "=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0";
            if (options_.secure_cookie) cookie += "; Secure";
            res.set(field::set_cookie, cookie);
            return res;
          });

  Console(verb::get, "/api/audit",
          [this](Request& request, const Session& session) -> Result<HttpResponse> {
            int limit = 50;
            if (auto text = QueryParam(request.query, "limit")) {
              const char* end = text->data() + text->size();
              auto [ptr, ec] = std::from_chars(text->data(), end, limit);
              if (ec != std::errc() || ptr != end || limit < 1 || limit > 200) {
                return InvalidRequest("limit: must be a number from 1 to 200");
              }
            }
            ASSIGN_OR_RETURN(
                auto events,
                s_.accounts.ListEvents(session.caller, limit, QueryParam(request.query, "before")));
            json list = json::array();
            for (const auto& e : events) list.push_back(EventJson(e));
            return Json({{"events", std::move(list)}});
          });

  // Organizations.
  Console(verb::get, "/api/orgs", [this](Request&, const Session& session) -> Result<HttpResponse> {
    ASSIGN_OR_RETURN(auto orgs, s_.orgs.ListOrgs(session.caller));
    json list = json::array();
    for (const auto& m : orgs) list.push_back(OrgJson(m));
    return Json({{"orgs", std::move(list)}});
  });

  Console(verb::post, "/api/orgs",
          [this](Request& request, const Session& session) -> Result<HttpResponse> {
            ASSIGN_OR_RETURN(JsonBody body, JsonBody::Parse(request.msg.body(), {"name"}));
            ASSIGN_OR_RETURN(std::string name, body.RequiredString("name"));
            ASSIGN_OR_RETURN(auto org, s_.orgs.CreateOrg(session.caller, name));
            return Json({{"org", OrgJson(org)}}, status::created);
          });

  Console(verb::get, "/api/orgs/{org}/members",
          [this](Request& request, const Session& session) -> Result<HttpResponse> {
            ASSIGN_OR_RETURN(auto members,
                             s_.orgs.ListMembers(session.caller, request.param("org")));
            json list = json::array();
            for (const auto& m : members) list.push_back(MemberJson(m));
            return Json({{"members", std::move(list)}});
          });

  Console(verb::post, "/api/orgs/{org}/members",
          [this](Request& request, const Session& session) -> Result<HttpResponse> {
            ASSIGN_OR_RETURN(JsonBody body, JsonBody::Parse(request.msg.body(), {"email", "role"}));
            ASSIGN_OR_RETURN(std::string email, body.RequiredString("email"));
            ASSIGN_OR_RETURN(std::string role_name, body.RequiredString("role"));
            std::optional<Role> role = ParseRole(role_name);
            if (!role) return InvalidRequest("role: must be \"owner\" or \"member\"");
            ASSIGN_OR_RETURN(auto member,
                             s_.orgs.AddMember(session.caller, request.param("org"), email, *role));
            return Json({{"member", MemberJson(member)}}, status::created);
          });

  Console(verb::delete_, "/api/orgs/{org}/members/{account}",
          [this](Request& request, const Session& session) -> Result<HttpResponse> {
            RETURN_IF_ERROR(s_.orgs.RemoveMember(session.caller, request.param("org"),
                                                 request.param("account")));
            return HttpResponse{status::no_content, 11};
          });

  Console(verb::get, "/api/orgs/{org}/keys",
          [this](Request& request, const Session& session) -> Result<HttpResponse> {
            ASSIGN_OR_RETURN(auto keys, s_.orgs.ListOrgKeys(session.caller, request.param("org")));
            const Time now = s_.clock.Now();
            json list = json::array();
            for (const auto& k : keys) {
              json j = KeyJson(k, now);
              j["account_id"] = k.account_id;
              j["email"] = k.email;
              list.push_back(std::move(j));
            }
            return Json({{"keys", std::move(list)}});
          });

  Console(verb::post, "/api/orgs/{org}/keys/{key}/revoke",
          [this](Request& request, const Session& session) -> Result<HttpResponse> {
            ASSIGN_OR_RETURN(auto key, s_.orgs.RevokeOrgKey(session.caller, request.param("org"),
                                                            request.param("key")));
            return Json({{"key", KeyJson(key, s_.clock.Now())}});
          });

  // API keys.
  Console(verb::get, "/api/keys", [this](Request&, const Session& session) -> Result<HttpResponse> {
    ASSIGN_OR_RETURN(auto keys, s_.keys.List(session.caller));
    const Time now = s_.clock.Now();
    json list = json::array();
    for (const auto& k : keys) list.push_back(KeyJson(k, now));
    return Json({{"keys", std::move(list)}});
  });

  Console(verb::post, "/api/keys",
          [this](Request& request, const Session& session) -> Result<HttpResponse> {
            ASSIGN_OR_RETURN(JsonBody body,
                             JsonBody::Parse(request.msg.body(),
                                             {"name", "description", "expires_at", "org_id"}));
            KeyService::CreateRequest create;
            ASSIGN_OR_RETURN(create.name, body.RequiredString("name"));
            ASSIGN_OR_RETURN(auto description, body.OptionalString("description"));
            create.description = description.value_or("");
            ASSIGN_OR_RETURN(create.expires_at, body.OptionalTime("expires_at"));
            ASSIGN_OR_RETURN(create.org_id, body.OptionalString("org_id"));
            ASSIGN_OR_RETURN(auto issued, s_.keys.Create(session.caller, std::move(create)));
            HttpResponse res = Json(
                {{"key", KeyJson(issued.key, s_.clock.Now())}, {"secret", issued.secret.reveal()}},
                status::created);
            return res;
          });

  Console(verb::patch, "/api/keys/{key}",
          [this](Request& request, const Session& session) -> Result<HttpResponse> {
            ASSIGN_OR_RETURN(JsonBody body,
                             JsonBody::Parse(request.msg.body(), {"name", "description"}));
            ASSIGN_OR_RETURN(auto name, body.OptionalString("name"));
            ASSIGN_OR_RETURN(auto description, body.OptionalString("description"));
            ASSIGN_OR_RETURN(
                auto key, s_.keys.Update(session.caller, request.param("key"), name, description));
            return Json({{"key", KeyJson(key, s_.clock.Now())}});
          });

  Console(verb::post, "/api/keys/{key}/rotate",
          [this](Request& request, const Session& session) -> Result<HttpResponse> {
            ASSIGN_OR_RETURN(JsonBody body, JsonBody::Parse(request.msg.body(), {"expires_at"},
                                                            /*empty_ok=*/true));
            std::optional<std::optional<Time>> expires_at;
            if (body.Has("expires_at")) {
              ASSIGN_OR_RETURN(expires_at, body.OptionalTime("expires_at"));
            }
            ASSIGN_OR_RETURN(auto issued,
                             s_.keys.Rotate(session.caller, request.param("key"), expires_at));
            return Json(
                {{"key", KeyJson(issued.key, s_.clock.Now())}, {"secret", issued.secret.reveal()}});
          });

  Console(verb::post, "/api/keys/{key}/revoke",
          [this](Request& request, const Session& session) -> Result<HttpResponse> {
            ASSIGN_OR_RETURN(auto key, s_.keys.Revoke(session.caller, request.param("key")));
            return Json({{"key", KeyJson(key, s_.clock.Now())}});
          });
}

// ---- CLI API ---------------------------------------------------------------------------

void Api::AddCliRoutes() {
  // The orgs a key reaches now: its scope if the account is still a member, else all of the
  // account's orgs.
  // The orgs a key reaches now: its scope if the account is still a member, else all of the
  // account's orgs.
  auto reachable_orgs = [this](const KeyState& key) -> Result<json> {
    ASSIGN_OR_RETURN(auto memberships, s_.verifier.Memberships(key.account_id));
    json list = json::array();
    for (const auto& m : *memberships) {
      if (!key.org_id || *key.org_id == m.org_id) list.push_back(OrgJson(m));
    }
    return list;
  };

  Cli(
      verb::get, "/api/v1/me", false,
      [this, reachable_orgs](Request&, const KeyState& key) -> Result<HttpResponse> {
        ASSIGN_OR_RETURN(auto account, s_.verifier.Account(key.account_id));
        ASSIGN_OR_RETURN(auto record, s_.verifier.Key(key.key_id));
        ASSIGN_OR_RETURN(auto memberships, s_.verifier.Memberships(key.account_id));
        // This node's uses are in memory before they are written: show the latest.
        std::optional<Time> last_used = record->last_used_at;
        if (auto used = s_.usage ? s_.usage->LastUse(key.key_id) : std::nullopt;
            used && (!last_used || *last_used < *used)) {
          last_used = used;
        }
        const Time now = s_.clock.Now();
        const std::string_view key_status = KeyStatusName(*record, now);
        // The answer is a function of immutable cached parts (replaced, never changed, when
        // the key or the memberships change), the last use and the status: reuse it while
        // they are the same objects and values.
        if (auto found = me_answers_.Find(key.key_id)) {
          const MeAnswer& cached = **found;
          if (cached.account == account && cached.record == record &&
              cached.memberships == memberships && cached.last_used == last_used &&
              cached.status == key_status) {
            return JsonResponse(status::ok, cached.body);
          }
        }
        ASSIGN_OR_RETURN(json orgs, reachable_orgs(key));
        json key_json = KeyJson(*record, now);
        key_json["last_used_at"] = TimeJson(last_used);
        auto answer =
            std::make_shared<MeAnswer>(MeAnswer{.account = account,
                                                .record = record,
                                                .memberships = memberships,
                                                .last_used = last_used,
                                                .status = key_status,
                                                .body = Dump({{"account", AccountJson(*account)},
                                                              {"key", std::move(key_json)},
                                                              {"orgs", std::move(orgs)}})});
        if (me_answers_.size() >= kMaxMeAnswers) me_answers_.Clear();  // bound the memory
        me_answers_.Insert(key.key_id, answer, me_answers_.epoch());
        return JsonResponse(status::ok, answer->body);
      },
      /*may_run_inline=*/true);

  Cli(
      verb::get, "/api/v1/orgs", false,
      [reachable_orgs, this](Request&, const KeyState& key) -> Result<HttpResponse> {
        ASSIGN_OR_RETURN(json orgs, reachable_orgs(key));
        return Json({{"orgs", std::move(orgs)}});
      },
      /*may_run_inline=*/true);

  Cli(verb::get, "/api/v1/orgs/{org}/agents", true,
      [this](Request& request, const KeyState&) -> Result<HttpResponse> {
        ASSIGN_OR_RETURN(auto agents, s_.resources.ListAgents(request.param("org")));
        json list = json::array();
        for (const auto& a : agents) list.push_back(AgentJson(a));
        return Json({{"agents", std::move(list)}});
      });

  Cli(verb::post, "/api/v1/orgs/{org}/agents", true,
      [this](Request& request, const KeyState&) -> Result<HttpResponse> {
        ASSIGN_OR_RETURN(JsonBody body, JsonBody::Parse(request.msg.body(), {"name", "host_id"}));
        ASSIGN_OR_RETURN(std::string name, body.RequiredString("name"));
        ASSIGN_OR_RETURN(auto host_id, body.OptionalString("host_id"));
        ASSIGN_OR_RETURN(auto agent, s_.resources.CreateAgent(request.param("org"), std::move(name),
                                                              std::move(host_id)));
        return Json({{"agent", AgentJson(agent)}}, status::created);
      });

  Cli(verb::get, "/api/v1/orgs/{org}/agents/{id}", true,
      [this](Request& request, const KeyState&) -> Result<HttpResponse> {
        ASSIGN_OR_RETURN(auto agent,
                         s_.resources.GetAgent(request.param("org"), request.param("id")));
        return Json({{"agent", AgentJson(agent)}});
      });

  Cli(verb::delete_, "/api/v1/orgs/{org}/agents/{id}", true,
      [this](Request& request, const KeyState&) -> Result<HttpResponse> {
        RETURN_IF_ERROR(s_.resources.DeleteAgent(request.param("org"), request.param("id")));
        return HttpResponse{status::no_content, 11};
      });

  Cli(verb::get, "/api/v1/orgs/{org}/hosts", true,
      [this](Request& request, const KeyState&) -> Result<HttpResponse> {
        ASSIGN_OR_RETURN(auto hosts, s_.resources.ListHosts(request.param("org")));
        json list = json::array();
        for (const auto& h : hosts) list.push_back(HostJson(h));
        return Json({{"hosts", std::move(list)}});
      });

  Cli(verb::post, "/api/v1/orgs/{org}/hosts", true,
      [this](Request& request, const KeyState&) -> Result<HttpResponse> {
        ASSIGN_OR_RETURN(JsonBody body, JsonBody::Parse(request.msg.body(), {"name", "address"}));
        ASSIGN_OR_RETURN(std::string name, body.RequiredString("name"));
        ASSIGN_OR_RETURN(std::string address, body.RequiredString("address"));
        ASSIGN_OR_RETURN(auto host, s_.resources.CreateHost(request.param("org"), std::move(name),
                                                            std::move(address)));
        return Json({{"host", HostJson(host)}}, status::created);
      });

  Cli(verb::get, "/api/v1/orgs/{org}/hosts/{id}", true,
      [this](Request& request, const KeyState&) -> Result<HttpResponse> {
        ASSIGN_OR_RETURN(auto host,
                         s_.resources.GetHost(request.param("org"), request.param("id")));
        return Json({{"host", HostJson(host)}});
      });

  Cli(verb::delete_, "/api/v1/orgs/{org}/hosts/{id}", true,
      [this](Request& request, const KeyState&) -> Result<HttpResponse> {
        RETURN_IF_ERROR(s_.resources.DeleteHost(request.param("org"), request.param("id")));
        return HttpResponse{status::no_content, 11};
      });

  // Service to service: the key is in the body; the answer is 200 either way.
  Public(
      verb::post, "/api/v1/keys/verify",
      [this](Request& request) -> Result<HttpResponse> {
        ASSIGN_OR_RETURN(JsonBody body, JsonBody::Parse(request.msg.body(), {"key", "org_id"}));
        ASSIGN_OR_RETURN(std::string key, body.RequiredString("key"));
        ASSIGN_OR_RETURN(auto org_id, body.OptionalString("org_id"));
        auto state = s_.verifier.Verify(key);
        request.key_check = state.ok() ? "valid" : CodeName(state.status().code());
        Status access = state.status();
        if (state.ok() && org_id) access = s_.verifier.CheckOrgAccess(*state, *org_id);
        if (!access.ok()) {
          if (access.code() == StatusCode::kInternal || access.code() == StatusCode::kUnavailable) {
            return access;
          }
          return Json({{"valid", false}, {"code", CodeName(access.code())}});
        }
        return Json({{"valid", true},
                     {"key_id", state->key_id},
                     {"account_id", state->account_id},
                     {"org_id", state->org_id ? json(*state->org_id) : json(nullptr)},
                     {"expires_at", TimeJson(state->expires_at)}});
      },
      /*may_run_inline=*/true);
}

// ---- Operations ------------------------------------------------------------------------

void Api::AddOpsRoutes() {
  router_.Add(verb::get, "/healthz", [this](Request&) {
    Status ping = s_.store.Ping();
    if (!ping.ok()) {
      return Json({{"status", "unavailable"}}, status::service_unavailable);
    }
    return Json({{"status", "ok"}});
  });
  router_.Add(verb::get, "/metrics", [this](Request&) {
    HttpResponse res{status::ok, 11};
    res.set(field::content_type, "text/plain; version=0.0.4; charset=utf-8");
    const KeyVerifier::Stats cache = s_.verifier.stats();
    res.body() =
        metrics_.Render() +
        fmt::format(
            "# HELP tfzo_key_cache_hits_total Key checks answered from memory.\n"
            "# TYPE tfzo_key_cache_hits_total counter\n"
            "tfzo_key_cache_hits_total {}\n"
            "# HELP tfzo_key_cache_misses_total Key checks that read the store.\n"
            "# TYPE tfzo_key_cache_misses_total counter\n"
            "tfzo_key_cache_misses_total {}\n"
            "# HELP tfzo_key_cache_keys Key secrets cached in memory.\n"
            "# TYPE tfzo_key_cache_keys gauge\n"
            "tfzo_key_cache_keys {}\n"
            "# HELP tfzo_membership_cache_accounts Accounts whose memberships are cached.\n"
            "# TYPE tfzo_membership_cache_accounts gauge\n"
            "tfzo_membership_cache_accounts {}\n",
            cache.hits, cache.misses, cache.cached_keys, cache.cached_accounts);
    res.prepare_payload();
    return res;
  });
}

}  // namespace tfzo::http
