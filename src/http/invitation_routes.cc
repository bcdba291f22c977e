// The console's routes for invitations (docs/spec/API.md "Console: invitations").

#include "http/console_routes.h"

namespace tfzo::http {

using beast_http::status;
using beast_http::verb;

namespace {

Result<HttpResponse> InvitationList(const Result<std::vector<InvitationRecord>>& found, Time now) {
  if (!found.ok()) return found.status();
  json list = json::array();
  for (const auto& i : *found) list.push_back(InvitationJson(i, now));
  return Json({{"invitations", std::move(list)}});
}

}  // namespace

void AddInvitationRoutes(Routes& routes, const ConsoleServices& svc) {
  // Owners: invite, list, cancel.
  routes.Console(verb::post, "/api/orgs/{org}/invitations",
                 [svc](Request& request, const Session& session) -> Result<HttpResponse> {
                   ASSIGN_OR_RETURN(JsonBody body, JsonBody::Parse(request.msg, {"email", "role"}));
                   ASSIGN_OR_RETURN(std::string email, body.RequiredString("email"));
                   ASSIGN_OR_RETURN(std::string role_name, body.RequiredString("role"));
                   std::optional<Role> role = ParseRole(role_name);
                   if (!role) return InvalidRequest("role: must be \"owner\" or \"member\"");
                   ASSIGN_OR_RETURN(
                       auto invitation,
                       svc.invitations.Invite(session.caller, request.param("org"), email, *role));
                   // 202 whether or not an account has the address: the mail is on its way.
                   return Json({{"invitation", InvitationJson(invitation, svc.clock.Now())}},
                               status::accepted);
                 });

  routes.Console(verb::get, "/api/orgs/{org}/invitations",
                 [svc](Request& request, const Session& session) -> Result<HttpResponse> {
                   return InvitationList(
                       svc.invitations.ListForOrg(session.caller, request.param("org")),
                       svc.clock.Now());
                 });

  routes.Console(verb::delete_, "/api/orgs/{org}/invitations/{invitation}",
                 [svc](Request& request, const Session& session) -> Result<HttpResponse> {
                   RETURN_IF_ERROR(svc.invitations.Cancel(session.caller, request.param("org"),
                                                          request.param("invitation")));
                   return HttpResponse{status::no_content, 11};
                 });

  // The invited: theirs, accept, decline.
  routes.Console(verb::get, "/api/invitations",
                 [svc](Request&, const Session& session) -> Result<HttpResponse> {
                   return InvitationList(svc.invitations.ListMine(session.caller), svc.clock.Now());
                 });

  routes.Console(verb::post, "/api/invitations/{invitation}/accept",
                 [svc](Request& request, const Session& session) -> Result<HttpResponse> {
                   ASSIGN_OR_RETURN(
                       auto membership,
                       svc.invitations.Accept(session.caller, request.param("invitation")));
                   return Json({{"org", OrgJson(membership)}});
                 });

  routes.Console(
      verb::post, "/api/invitations/{invitation}/decline",
      [svc](Request& request, const Session& session) -> Result<HttpResponse> {
        RETURN_IF_ERROR(svc.invitations.Decline(session.caller, request.param("invitation")));
        return HttpResponse{status::no_content, 11};
      });
}

}  // namespace tfzo::http
