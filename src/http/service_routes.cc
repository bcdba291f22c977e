#include "http/service_routes.h"

#include <algorithm>
#include <string>

namespace tfzo::http {

using beast_http::verb;

void AddServiceRoutes(Routes& routes, VerifyService& verify) {
  routes.Public(
      verb::post, "/api/v1/keys/verify",
      [&verify](Request& request) -> Result<HttpResponse> {
        ASSIGN_OR_RETURN(JsonBody body, JsonBody::Parse(request.msg, {"key", "org_id"}));
        ASSIGN_OR_RETURN(std::string key, body.RequiredString("key"));
        ASSIGN_OR_RETURN(auto org_id, body.OptionalString("org_id"));
        Authenticator::Notes notes;
        auto verdict = verify.Verify(key, org_id, request.remote_ip, notes);
        request.key_check = notes.key_check;
        if (!verdict.ok()) return verdict.status();
        if (!verdict->key) {
          HttpResponse res = Json({{"valid", false}, {"code", CodeName(verdict->reason)}});
          if (verdict->reason == StatusCode::kRateLimited) {
            request.rate_limited = true;
            res.set(beast_http::field::retry_after,
                    std::to_string(std::max(1, verdict->retry_after)));
          }
          return res;
        }
        const KeyState& state = *verdict->key;
        return Json({{"valid", true},
                     {"key_id", state.key_id},
                     {"account_id", state.account_id},
                     {"org_id", state.org_id ? json(*state.org_id) : json(nullptr)},
                     {"expires_at", TimeJson(state.expires_at)}});
      },
      /*may_run_inline=*/true);
}

}  // namespace tfzo::http
