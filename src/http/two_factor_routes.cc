// The console's routes for two-factor sign-in (docs/spec/API.md "Two-factor sign-in").

#include "core/secret.h"
#include "http/console_routes.h"

namespace tfzo::http {

using beast_http::status;
using beast_http::verb;

void AddTwoFactorRoutes(Routes& routes, const ConsoleServices& svc) {
  // The second step of a sign-in: the challenge POST /api/login answered is the credential.
  routes.SignIn(verb::post, "/api/login/2fa", [svc](Request& request) -> Result<HttpResponse> {
    ASSIGN_OR_RETURN(JsonBody body, JsonBody::Parse(request.msg, {"challenge", "code"}));
    ASSIGN_OR_RETURN(std::string challenge, body.RequiredString("challenge"));
    ASSIGN_OR_RETURN(std::string code, body.RequiredString("code"));
    ASSIGN_OR_RETURN(auto grant, svc.accounts.LoginTwoFactor(challenge, code, request.remote_ip,
                                                             UserAgent(request)));
    return SessionStarted(svc.secure_cookie, status::ok, grant);
  });

  routes.Console(verb::post, "/api/account/totp/setup",
                 [svc](Request& request, const Session& session) -> Result<HttpResponse> {
                   ASSIGN_OR_RETURN(JsonBody body, JsonBody::Parse(request.msg, {},
                                                                   /*empty_ok=*/true));
                   ASSIGN_OR_RETURN(auto setup, svc.two_factor.StartSetup(session.caller));
                   return Json({{"secret", setup.secret.reveal()},
                                {"otpauth_uri", setup.otpauth_uri},
                                {"qr_svg", setup.qr_svg}});
                 });

  routes.Console(verb::post, "/api/account/totp/enable",
                 [svc](Request& request, const Session& session) -> Result<HttpResponse> {
                   ASSIGN_OR_RETURN(JsonBody body, JsonBody::Parse(request.msg, {"code"}));
                   ASSIGN_OR_RETURN(std::string code, body.RequiredString("code"));
                   ASSIGN_OR_RETURN(auto codes, svc.two_factor.Enable(session.caller, code));
                   json list = json::array();
                   for (const Secret& c : codes) list.push_back(c.reveal());
                   return Json({{"recovery_codes", std::move(list)}});
                 });

  routes.Console(
      verb::post, "/api/account/totp/disable",
      [svc](Request& request, const Session& session) -> Result<HttpResponse> {
        ASSIGN_OR_RETURN(JsonBody body, JsonBody::Parse(request.msg, {"password", "code"}));
        ASSIGN_OR_RETURN(std::string password, body.RequiredString("password"));
        ASSIGN_OR_RETURN(std::string code, body.RequiredString("code"));
        RETURN_IF_ERROR(svc.two_factor.Disable(session.caller, Secret(std::move(password)), code));
        return HttpResponse{status::no_content, 11};
      });
}

}  // namespace tfzo::http
