// The console's routes for verified addresses (docs/spec/API.md "E-mail verification").

#include "core/secret.h"
#include "http/console_routes.h"

namespace tfzo::http {

using beast_http::status;
using beast_http::verb;

void AddEmailRoutes(Routes& routes, const ConsoleServices& svc) {
  // No session: the token, mailed to the address, is the credential (no cookie is read, so no
  // other site can use one through the browser).
  routes.Public(verb::post, "/api/email/verify", [svc](Request& request) -> Result<HttpResponse> {
    ASSIGN_OR_RETURN(JsonBody body, JsonBody::Parse(request.msg, {"token"}));
    ASSIGN_OR_RETURN(std::string token, body.RequiredString("token"));
    ASSIGN_OR_RETURN(auto account, svc.email.Verify(token, request.remote_ip));
    return Json({{"account", AccountJson(account)}});
  });

  routes.Console(verb::post, "/api/email/verify/resend",
                 [svc](Request&, const Session& session) -> Result<HttpResponse> {
                   RETURN_IF_ERROR(svc.email.Resend(session.caller));
                   return HttpResponse{status::no_content, 11};
                 });

  routes.Console(
      verb::patch, "/api/account",
      [svc](Request& request, const Session& session) -> Result<HttpResponse> {
        ASSIGN_OR_RETURN(JsonBody body, JsonBody::Parse(request.msg, {"email", "password"}));
        ASSIGN_OR_RETURN(std::string email, body.RequiredString("email"));
        ASSIGN_OR_RETURN(std::string password, body.RequiredString("password"));
        ASSIGN_OR_RETURN(auto account,
                         svc.email.ChangeEmail(session.caller, email, Secret(std::move(password))));
        return Json({{"account", AccountJson(account)}});
      });
}

}  // namespace tfzo::http
