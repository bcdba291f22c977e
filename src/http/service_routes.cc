#include "http/service_routes.h"

#include <algorithm>
#include <array>
#include <string>

namespace tfzo::http {

using beast_http::verb;

namespace {

constexpr std::array<std::string_view, 3> kVerifyFields = {"key", "org_id", "ip"};

std::optional<std::string_view> ViewOf(const std::optional<std::string>& s) {
  return s ? std::optional<std::string_view>(*s) : std::nullopt;
}

// The request's key and question: views into its body when it was scanned, into `parsed_`
// when it had to be parsed in full. Holds views into the request: used while it lives.
class VerifyRequest {
 public:
  // Services send a plain {"key": "tfzo_...", "org_id": "..."}: that is scanned in place;
  // anything else (escapes, nulls, permissions, other fields, not JSON) goes through the full
  // JSON parser, which answers exactly as it always has.
  static Result<VerifyRequest> Read(const HttpRequest& msg) {
    VerifyRequest out;
    std::array<std::optional<std::string_view>, kVerifyFields.size()> values;
    if (JsonBody::ScanPlainStrings(msg, kVerifyFields, values) && values[0]) {
      out.scanned_key_ = *values[0];
      out.scanned_ = {.org_id = values[1], .ip = values[2]};
    } else {
      ASSIGN_OR_RETURN(JsonBody body, JsonBody::Parse(msg, {"key", "org_id", "permissions", "ip"}));
      Parsed& parsed = out.parsed_.emplace();
      ASSIGN_OR_RETURN(parsed.key, body.RequiredString("key"));
      ASSIGN_OR_RETURN(parsed.org_id, body.OptionalString("org_id"));
      ASSIGN_OR_RETURN(parsed.ip, body.OptionalString("ip"));
      ASSIGN_OR_RETURN(auto permissions, body.OptionalStrings("permissions", 16));
      if (permissions) {
        ASSIGN_OR_RETURN(parsed.permissions, Permissions::FromNames(*permissions, "permissions"));
      }
    }
    const auto ip = out.question().ip;
    if (ip && !IpNetworks::ParseAddress(*ip)) {
      return InvalidRequest("ip: must be an IPv4 or IPv6 address");
    }
    return out;
  }

  std::string_view key() const { return parsed_ ? parsed_->key : scanned_key_; }
  VerifyService::Question question() const {
    if (!parsed_) return scanned_;
    return {.org_id = ViewOf(parsed_->org_id),
            .permissions = parsed_->permissions,
            .ip = ViewOf(parsed_->ip)};
  }

 private:
  struct Parsed {
    std::string key;
    std::optional<std::string> org_id;
    std::optional<std::string> ip;
    Permissions permissions;
  };
  std::string_view scanned_key_;
  VerifyService::Question scanned_;
  std::optional<Parsed> parsed_;
};

}  // namespace

std::string RenderVerdict(const VerifyService::Verdict& verdict) {
  if (!verdict.key) return Dump({{"valid", false}, {"code", CodeName(verdict.reason)}});
  const KeyState& state = *verdict.key;
  return Dump({{"valid", true},
               {"key_id", state.key_id},
               {"account_id", state.account_id},
               {"org_id", state.org_id ? json(*state.org_id) : json(nullptr)},
               {"expires_at", TimeJson(state.expires_at)},
               {"permissions", state.granted().Names()}});
}

void AddServiceRoutes(Routes& routes, VerifyService& verify) {
  routes.Public(
      verb::post, "/api/v1/keys/verify",
      [&verify](Request& request) -> Result<HttpResponse> {
        ASSIGN_OR_RETURN(VerifyRequest asked, VerifyRequest::Read(request.msg));
        Authenticator::Notes notes;
        auto answer = verify.Answer(asked.key(), asked.question(), request.remote_ip, notes);
        request.key_check = notes.key_check;
        if (!answer.ok()) return answer.status();
        HttpResponse res = JsonResponse(beast_http::status::ok, std::move(answer->body));
        if (answer->verdict.reason == StatusCode::kRateLimited) {
          request.rate_limited = true;
          res.set(beast_http::field::retry_after,
                  std::to_string(std::max(1, answer->verdict.retry_after)));
        }
        return res;
      },
      /*may_run_inline=*/true);
}

}  // namespace tfzo::http
