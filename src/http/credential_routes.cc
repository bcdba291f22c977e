// The console's routes for a person's own credentials (docs/spec/API.md "Console: your
// credentials"): password change and reset, sessions, account deletion.

#include "core/secret.h"
#include "http/console_routes.h"

namespace tfzo::http {

using beast_http::status;
using beast_http::verb;

namespace {

json SessionJson(const SessionRecord& s, const std::string& current_id) {
  return {{"id", s.id},
          {"created_at", FormatRfc3339(s.created_at)},
          {"last_seen_at", FormatRfc3339(s.last_seen_at)},
          {"ip", s.ip},
          {"user_agent", s.user_agent},
          {"current", s.id == current_id}};
}

HttpResponse NoContent() { return HttpResponse{status::no_content, 11}; }

// No session: a forgotten password is why. Refused when another site's page sends them, as
// sign-in is (Routes::SignIn), so that no page makes a browser ask for resets.
void AddResetRoutes(Routes& routes, const ConsoleServices& svc) {
  routes.SignIn(verb::post, "/api/password/forgot",
                [svc](Request& request) -> Result<HttpResponse> {
                  ASSIGN_OR_RETURN(JsonBody body, JsonBody::Parse(request.msg, {"email"}));
                  ASSIGN_OR_RETURN(std::string email, body.RequiredString("email"));
                  RETURN_IF_ERROR(svc.credentials.ForgotPassword(email, request.remote_ip));
                  return Json(json::object(), status::accepted);
                });

  routes.SignIn(verb::post, "/api/password/reset", [svc](Request& request) -> Result<HttpResponse> {
    ASSIGN_OR_RETURN(JsonBody body, JsonBody::Parse(request.msg, {"token", "new_password"}));
    ASSIGN_OR_RETURN(std::string token, body.RequiredString("token"));
    ASSIGN_OR_RETURN(std::string password, body.RequiredString("new_password"));
    RETURN_IF_ERROR(
        svc.credentials.ResetPassword(token, Secret(std::move(password)), request.remote_ip));
    return NoContent();
  });
}

}  // namespace

void AddCredentialRoutes(Routes& routes, const ConsoleServices& svc) {
  AddResetRoutes(routes, svc);

  routes.Console(
      verb::post, "/api/account/password",
      [svc](Request& request, const Session& session) -> Result<HttpResponse> {
        ASSIGN_OR_RETURN(JsonBody body,
                         JsonBody::Parse(request.msg, {"current_password", "new_password"}));
        ASSIGN_OR_RETURN(std::string current, body.RequiredString("current_password"));
        ASSIGN_OR_RETURN(std::string next, body.RequiredString("new_password"));
        RETURN_IF_ERROR(svc.credentials.ChangePassword(
            session.caller, session.token, Secret(std::move(current)), Secret(std::move(next))));
        return NoContent();
      });

  routes.Console(
      verb::get, "/api/sessions", [svc](Request&, const Session& session) -> Result<HttpResponse> {
        ASSIGN_OR_RETURN(auto list, svc.credentials.ListSessions(session.caller, session.token));
        json out = json::array();
        for (const auto& s : list.sessions) out.push_back(SessionJson(s, list.current_id));
        return Json({{"sessions", std::move(out)}});
      });

  routes.Console(verb::delete_, "/api/sessions/{id}",
                 [svc](Request& request, const Session& session) -> Result<HttpResponse> {
                   RETURN_IF_ERROR(svc.credentials.EndSession(session.caller, request.param("id")));
                   return NoContent();
                 });

  routes.Console(verb::post, "/api/sessions/revoke-others",
                 [svc](Request&, const Session& session) -> Result<HttpResponse> {
                   RETURN_IF_ERROR(svc.credentials.EndOtherSessions(session.caller, session.token));
                   return NoContent();
                 });

  // "code": the second factor, needed when two-factor sign-in is on.
  routes.Console(
      verb::delete_, "/api/account",
      [svc](Request& request, const Session& session) -> Result<HttpResponse> {
        ASSIGN_OR_RETURN(JsonBody body, JsonBody::Parse(request.msg, {"password", "code"}));
        ASSIGN_OR_RETURN(std::string password, body.RequiredString("password"));
        ASSIGN_OR_RETURN(auto code, body.OptionalString("code"));
        RETURN_IF_ERROR(
            svc.credentials.DeleteAccount(session.caller, Secret(std::move(password)), code));
        return SessionEnded(svc.secure_cookie);
      });
}

}  // namespace tfzo::http
