#include "http/exposure_routes.h"

namespace tfzo::http {

using beast_http::verb;

void AddExposureRoutes(Routes& routes, ExposureService& exposure, Metrics& metrics) {
  routes.Public(verb::post, "/api/v1/credentials/revoke",
                [&exposure, &metrics](Request& request) -> Result<HttpResponse> {
                  ASSIGN_OR_RETURN(JsonBody body, JsonBody::Parse(request.msg, {"credentials"}));
                  if (!body.Has("credentials")) {
                    return InvalidRequest("credentials: required, an array of strings");
                  }
                  ASSIGN_OR_RETURN(
                      auto credentials,
                      body.OptionalStrings("credentials", ExposureService::kMaxCredentials));
                  if (!credentials) {
                    return InvalidRequest("credentials: must be an array of strings");
                  }
                  ASSIGN_OR_RETURN(ExposureService::Tally tally,
                                   exposure.Report(*credentials, request.remote_ip));
                  metrics.RecordExposedCredentials(tally.revoked, tally.inactive, tally.unknown,
                                                   tally.malformed);
                  return Json({{"received", credentials->size()}}, beast_http::status::accepted);
                });
}

}  // namespace tfzo::http
