#include "http/console_routes.h"

#include <charconv>

#include "core/secret.h"
#include "service/key_list.h"

namespace tfzo::http {

using beast_http::field;
using beast_http::status;
using beast_http::verb;

// The request's User-Agent ("" without one), which the session records.
std::string_view UserAgent(const Request& request) {
  auto it = request.msg.find(field::user_agent);
  return it == request.msg.end() ? std::string_view() : it->value();
}

// The answer to a sign-up or login: the account, the CSRF token, and the session cookie.
HttpResponse SessionStarted(bool secure_cookie, status st,
                            const AccountService::SessionGrant& grant) {
  HttpResponse res =
      Json({{"account", AccountJson(grant.account)}, {"csrf_token", grant.csrf_token}}, st);
  std::string cookie = std::string(SessionCookieName(secure_cookie)) + "=" + grant.token.reveal() +
                       "; HttpOnly; SameSite=Strict; Path=/";
  if (secure_cookie) cookie += "; Secure";
  res.set(field::set_cookie, cookie);
  return res;
}

namespace {

KeyListParams KeyListParamsOf(const Request& request) {
  return KeyListParams{.status = QueryParam(request.query, "status"),
                       .q = QueryParam(request.query, "q"),
                       .limit = QueryParam(request.query, "limit"),
                       .cursor = QueryParam(request.query, "cursor")};
}

// {"keys": [...], "next_cursor": "..." or null}; an organization's list also names each key's
// owner.
HttpResponse KeyPageJson(const KeyPage& page, Time now, bool with_owner) {
  json list = json::array();
  for (const auto& k : page.keys) {
    json j = KeyJson(k, now);
    if (with_owner) {
      j["account_id"] = k.account_id;
      j["email"] = k.email;
    }
    list.push_back(std::move(j));
  }
  return Json({{"keys", std::move(list)},
               {"next_cursor", page.next ? json(EncodeKeyCursor(*page.next)) : json(nullptr)}});
}

// GET /api/session's "exposed_keys": each key's id, name and when it was reported.
json ExposedKeysJson(const std::vector<KeyRecord>& keys) {
  json list = json::array();
  for (const KeyRecord& k : keys) {
    list.push_back({{"id", k.id}, {"name", k.name}, {"exposed_at", TimeJson(k.exposed_at)}});
  }
  return list;
}

Result<std::optional<Permissions>> ReadPermissions(const JsonBody& body) {
  ASSIGN_OR_RETURN(auto names, body.OptionalStrings("permissions", 16));
  if (!names) return std::optional<Permissions>();
  ASSIGN_OR_RETURN(Permissions set, Permissions::FromNames(*names, "permissions"));
  return std::optional<Permissions>(set);
}

}  // namespace

Result<KeyService::CreateRequest> ReadKeyCreate(const JsonBody& body) {
  KeyService::CreateRequest create;
  ASSIGN_OR_RETURN(create.name, body.RequiredString("name"));
  ASSIGN_OR_RETURN(auto description, body.OptionalString("description"));
  create.description = description.value_or("");
  ASSIGN_OR_RETURN(create.expires_at, body.OptionalTime("expires_at"));
  ASSIGN_OR_RETURN(create.permissions, ReadPermissions(body));
  ASSIGN_OR_RETURN(auto allowed_ips,
                   body.OptionalStrings("allowed_ips", KeyService::kMaxAllowedIps));
  create.allowed_ips = allowed_ips.value_or(std::vector<std::string>());
  return create;
}

Result<KeyService::Patch> ReadKeyPatch(const JsonBody& body) {
  KeyService::Patch patch;
  ASSIGN_OR_RETURN(patch.name, body.OptionalString("name"));
  ASSIGN_OR_RETURN(patch.description, body.OptionalString("description"));
  ASSIGN_OR_RETURN(patch.permissions, ReadPermissions(body));
  ASSIGN_OR_RETURN(patch.allowed_ips,
                   body.OptionalStrings("allowed_ips", KeyService::kMaxAllowedIps));
  if (body.Has("expires_at")) {
    ASSIGN_OR_RETURN(patch.expires_at, body.OptionalTime("expires_at"));
  }
  return patch;
}

Result<KeyRotation> ReadKeyRotation(const JsonBody& body) {
  KeyRotation rotation;
  if (body.Has("expires_at")) {
    ASSIGN_OR_RETURN(rotation.expires_at, body.OptionalTime("expires_at"));
  }
  ASSIGN_OR_RETURN(auto overlap,
                   body.OptionalInt("overlap_seconds", 0, KeyService::kMaxOverlap.count()));
  rotation.overlap = std::chrono::seconds(overlap.value_or(0));
  return rotation;
}

namespace {

// An organization's settings and its members' roles (owners): rename, delete, role changes.
void AddOrgLifecycleRoutes(Routes& routes, const ConsoleServices& svc) {
  routes.Console(
      verb::patch, "/api/orgs/{org}",
      [svc](Request& request, const Session& session) -> Result<HttpResponse> {
        ASSIGN_OR_RETURN(JsonBody body,
                         JsonBody::Parse(request.msg, {"name", "handle", "require_two_factor"}));
        ASSIGN_OR_RETURN(auto name, body.OptionalString("name"));
        ASSIGN_OR_RETURN(auto handle, body.OptionalString("handle"));
        ASSIGN_OR_RETURN(auto require, body.OptionalBool("require_two_factor"));
        ASSIGN_OR_RETURN(auto org, svc.orgs.UpdateOrg(session.caller, request.param("org"), name,
                                                      handle, require));
        return Json({{"org", OrgJson(org)}});
      });

  routes.Console(
      verb::delete_, "/api/orgs/{org}",
      [svc](Request& request, const Session& session) -> Result<HttpResponse> {
        // No body at all is "confirm: is required", like an empty object.
        ASSIGN_OR_RETURN(JsonBody body, JsonBody::Parse(request.msg, {"confirm"},
                                                        /*empty_ok=*/true));
        ASSIGN_OR_RETURN(std::string confirm, body.RequiredString("confirm"));
        RETURN_IF_ERROR(svc.orgs.DeleteOrg(session.caller, request.param("org"), confirm));
        return HttpResponse{status::no_content, 11};
      });

  routes.Console(verb::patch, "/api/orgs/{org}/members/{account}",
                 [svc](Request& request, const Session& session) -> Result<HttpResponse> {
                   ASSIGN_OR_RETURN(JsonBody body, JsonBody::Parse(request.msg, {"role"}));
                   ASSIGN_OR_RETURN(std::string role_name, body.RequiredString("role"));
                   std::optional<Role> role = ParseRole(role_name);
                   if (!role) return InvalidRequest("role: must be \"owner\" or \"member\"");
                   ASSIGN_OR_RETURN(auto member,
                                    svc.orgs.SetMemberRole(session.caller, request.param("org"),
                                                           request.param("account"), *role));
                   return Json({{"member", MemberJson(member)}});
                 });
}

}  // namespace

HttpResponse SessionEnded(bool secure_cookie) {
  HttpResponse res{status::no_content, 11};
  std::string cookie = std::string(SessionCookieName(secure_cookie)) +
                       "=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0";
  if (secure_cookie) cookie += "; Secure";
  res.set(field::set_cookie, cookie);
  return res;
}

void AddConsoleRoutes(Routes& routes, const ConsoleServices& svc) {
  routes.SignIn(verb::post, "/api/signup", [svc](Request& request) -> Result<HttpResponse> {
    ASSIGN_OR_RETURN(JsonBody body,
                     JsonBody::Parse(request.msg, {"email", "password", "name", "claim_token"}));
    ASSIGN_OR_RETURN(std::string email, body.RequiredString("email"));
    ASSIGN_OR_RETURN(std::string password, body.RequiredString("password"));
    ASSIGN_OR_RETURN(std::optional<std::string> name, body.OptionalString("name"));
    ASSIGN_OR_RETURN(std::optional<std::string> claim, body.OptionalString("claim_token"));
    ASSIGN_OR_RETURN(auto grant,
                     svc.accounts.Signup(email, Secret(std::move(password)), name.value_or(""),
                                         request.remote_ip, std::move(claim), UserAgent(request)));
    return SessionStarted(svc.secure_cookie, status::created, grant);
  });

  routes.SignIn(verb::post, "/api/login", [svc](Request& request) -> Result<HttpResponse> {
    ASSIGN_OR_RETURN(JsonBody body, JsonBody::Parse(request.msg, {"email", "password"}));
    ASSIGN_OR_RETURN(std::string email, body.RequiredString("email"));
    ASSIGN_OR_RETURN(std::string password, body.RequiredString("password"));
    ASSIGN_OR_RETURN(auto grant, svc.accounts.Login(email, Secret(std::move(password)),
                                                    request.remote_ip, UserAgent(request)));
    if (grant.two_factor_challenge) {  // no session yet: POST /api/login/2fa completes it
      return Json({{"two_factor", {{"challenge", grant.two_factor_challenge->reveal()}}}});
    }
    return SessionStarted(svc.secure_cookie, status::ok, grant);
  });

  routes.Console(verb::get, "/api/session",
                 [svc](Request&, const Session& session) -> Result<HttpResponse> {
                   const auto& max = svc.keys.options().max_lifetime_days;
                   ASSIGN_OR_RETURN(auto exposed, svc.exposure.ListReported(session.caller));
                   return Json({{"account", AccountJson(session.account)},
                                {"csrf_token", session.csrf_token},
                                {"max_key_lifetime_days", max ? json(*max) : json(nullptr)},
                                {"exposed_keys", ExposedKeysJson(exposed)}});
                 });

  routes.Console(verb::post, "/api/logout",
                 [svc](Request&, const Session& session) -> Result<HttpResponse> {
                   RETURN_IF_ERROR(svc.accounts.Logout(session.token));
                   return SessionEnded(svc.secure_cookie);
                 });

  routes.Console(verb::get, "/api/audit",
                 [svc](Request& request, const Session& session) -> Result<HttpResponse> {
                   int limit = 50;
                   if (auto text = QueryParam(request.query, "limit")) {
                     const char* end = text->data() + text->size();
                     auto [ptr, ec] = std::from_chars(text->data(), end, limit);
                     if (ec != std::errc() || ptr != end || limit < 1 || limit > 200) {
                       return InvalidRequest("limit: must be a number from 1 to 200");
                     }
                   }
                   ASSIGN_OR_RETURN(auto events,
                                    svc.accounts.ListEvents(session.caller, limit,
                                                            QueryParam(request.query, "before")));
                   json list = json::array();
                   for (const auto& e : events) list.push_back(EventJson(e));
                   return Json({{"events", std::move(list)}});
                 });

  AddEmailRoutes(routes, svc);
  AddInvitationRoutes(routes, svc);
  AddCredentialRoutes(routes, svc);
  AddTwoFactorRoutes(routes, svc);
  AddServiceAccountRoutes(routes, svc);
  AddPolicyRoutes(routes, svc);

  // Organizations.
  routes.Console(verb::get, "/api/orgs",
                 [svc](Request&, const Session& session) -> Result<HttpResponse> {
                   ASSIGN_OR_RETURN(auto orgs, svc.orgs.ListOrgs(session.caller));
                   json list = json::array();
                   for (const auto& m : orgs) list.push_back(OrgJson(m));
                   return Json({{"orgs", std::move(list)}});
                 });

  routes.Console(
      verb::post, "/api/orgs",
      [svc](Request& request, const Session& session) -> Result<HttpResponse> {
        ASSIGN_OR_RETURN(JsonBody body, JsonBody::Parse(request.msg, {"name", "handle"}));
        ASSIGN_OR_RETURN(std::string name, body.RequiredString("name"));
        ASSIGN_OR_RETURN(auto handle, body.OptionalString("handle"));
        ASSIGN_OR_RETURN(auto org, svc.orgs.CreateOrg(session.caller, name, handle));
        return Json({{"org", OrgJson(org)}}, status::created);
      });

  AddOrgLifecycleRoutes(routes, svc);

  routes.Console(verb::get, "/api/orgs/{org}/members",
                 [svc](Request& request, const Session& session) -> Result<HttpResponse> {
                   ASSIGN_OR_RETURN(auto members,
                                    svc.orgs.ListMembers(session.caller, request.param("org")));
                   // Owners see who has two-factor sign-in on (and who would be shut out).
                   bool owner = false;
                   for (const auto& m : members) {
                     if (m.account_id == session.caller.account_id) owner = m.role == Role::kOwner;
                   }
                   json list = json::array();
                   for (const auto& m : members) list.push_back(MemberJson(m, owner));
                   return Json({{"members", std::move(list)}});
                 });

  routes.Console(verb::delete_, "/api/orgs/{org}/members/{account}",
                 [svc](Request& request, const Session& session) -> Result<HttpResponse> {
                   RETURN_IF_ERROR(svc.orgs.RemoveMember(session.caller, request.param("org"),
                                                         request.param("account")));
                   return HttpResponse{status::no_content, 11};
                 });

  routes.Console(verb::get, "/api/orgs/{org}/keys",
                 [svc](Request& request, const Session& session) -> Result<HttpResponse> {
                   ASSIGN_OR_RETURN(KeyQuery query, ReadKeyListParams(KeyListParamsOf(request)));
                   ASSIGN_OR_RETURN(KeyPage page, svc.orgs.ListOrgKeys(
                                                      session.caller, request.param("org"), query));
                   return KeyPageJson(page, svc.clock.Now(), /*with_owner=*/true);
                 });

  routes.Console(verb::post, "/api/orgs/{org}/keys/{key}/revoke",
                 [svc](Request& request, const Session& session) -> Result<HttpResponse> {
                   ASSIGN_OR_RETURN(auto key,
                                    svc.orgs.RevokeOrgKey(session.caller, request.param("org"),
                                                          request.param("key")));
                   return Json({{"key", KeyJson(key, svc.clock.Now())}});
                 });

  // API keys.
  routes.Console(verb::get, "/api/keys",
                 [svc](Request& request, const Session& session) -> Result<HttpResponse> {
                   ASSIGN_OR_RETURN(KeyQuery query, ReadKeyListParams(KeyListParamsOf(request)));
                   ASSIGN_OR_RETURN(KeyPage page, svc.keys.List(session.caller, query));
                   return KeyPageJson(page, svc.clock.Now(), /*with_owner=*/false);
                 });

  // Before /api/keys/{key}'s routes: "revoke" is not a key id.
  routes.Console(verb::post, "/api/keys/revoke",
                 [svc](Request& request, const Session& session) -> Result<HttpResponse> {
                   ASSIGN_OR_RETURN(JsonBody body, JsonBody::Parse(request.msg, {"ids"}));
                   ASSIGN_OR_RETURN(auto ids, body.RequiredStringArray("ids", kMaxKeyPage));
                   ASSIGN_OR_RETURN(auto keys, svc.keys.RevokeMany(session.caller, ids));
                   const Time now = svc.clock.Now();
                   json list = json::array();
                   for (const auto& k : keys) list.push_back(KeyJson(k, now));
                   return Json({{"keys", std::move(list)}});
                 });

  routes.Console(
      verb::post, "/api/keys",
      [svc](Request& request, const Session& session) -> Result<HttpResponse> {
        ASSIGN_OR_RETURN(JsonBody body,
                         JsonBody::Parse(request.msg, {"name", "description", "expires_at",
                                                       "org_id", "permissions", "allowed_ips"}));
        ASSIGN_OR_RETURN(KeyService::CreateRequest create, ReadKeyCreate(body));
        ASSIGN_OR_RETURN(create.org_id, body.OptionalString("org_id"));
        ASSIGN_OR_RETURN(auto issued, svc.keys.Create(session.caller, std::move(create)));
        HttpResponse res = Json(
            {{"key", KeyJson(issued.key, svc.clock.Now())}, {"secret", issued.secret.reveal()}},
            status::created);
        return res;
      });

  routes.Console(
      verb::patch, "/api/keys/{key}",
      [svc](Request& request, const Session& session) -> Result<HttpResponse> {
        ASSIGN_OR_RETURN(JsonBody body,
                         JsonBody::Parse(request.msg, {"name", "description", "permissions",
                                                       "allowed_ips", "expires_at"}));
        ASSIGN_OR_RETURN(KeyService::Patch patch, ReadKeyPatch(body));
        ASSIGN_OR_RETURN(auto key, svc.keys.Update(session.caller, request.param("key"), patch));
        return Json({{"key", KeyJson(key, svc.clock.Now())}});
      });

  routes.Console(
      verb::post, "/api/keys/{key}/rotate",
      [svc](Request& request, const Session& session) -> Result<HttpResponse> {
        ASSIGN_OR_RETURN(JsonBody body,
                         JsonBody::Parse(request.msg, {"expires_at", "overlap_seconds"},
                                         /*empty_ok=*/true));
        ASSIGN_OR_RETURN(KeyRotation rotation, ReadKeyRotation(body));
        ASSIGN_OR_RETURN(auto issued, svc.keys.Rotate(session.caller, request.param("key"),
                                                      rotation.expires_at, rotation.overlap));
        return Json(
            {{"key", KeyJson(issued.key, svc.clock.Now())}, {"secret", issued.secret.reveal()}});
      });

  routes.Console(verb::post, "/api/keys/{key}/revoke",
                 [svc](Request& request, const Session& session) -> Result<HttpResponse> {
                   ASSIGN_OR_RETURN(auto key,
                                    svc.keys.Revoke(session.caller, request.param("key")));
                   return Json({{"key", KeyJson(key, svc.clock.Now())}});
                 });
}

}  // namespace tfzo::http
