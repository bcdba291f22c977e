#include "http/check_routes.h"

#include <optional>
#include <string>

namespace tfzo::http {

using beast_http::field;
using beast_http::status;
using beast_http::verb;

namespace {

constexpr std::string_view kNoKeyChallenge = R"(Bearer realm="2501")";
constexpr std::string_view kInvalidTokenChallenge = R"(Bearer realm="2501", error="invalid_token")";
constexpr std::string_view kInsufficientScopeChallenge =
    R"(Bearer realm="2501", error="insufficient_scope")";

// What the query asks besides the key itself.
struct CheckQuery {
  std::optional<std::string> org;
  std::optional<Permission> permission;
};

Result<CheckQuery> ReadCheckQuery(std::string_view query) {
  CheckQuery out;
  if (query.empty()) return out;  // the common case: nothing to decode
  out.org = QueryParam(query, "org");
  if (out.org && out.org->empty()) return InvalidRequest("org: must be an organization id");
  if (auto name = QueryParam(query, "permission")) {
    for (Permission p : Permissions::kAll) {
      if (PermissionName(p) == *name) out.permission = p;
    }
    if (!out.permission) {  // FromNames words the error as every request's "permissions" do
      auto unknown = Permissions::FromNames({*name}, "permission");
      return unknown.ok() ? InvalidRequest("permission: unknown permission") : unknown.status();
    }
  }
  return out;
}

// The check itself: the key (already authenticated), the permission, then the organization,
// the order of POST /api/v1/keys/verify.
HttpResponse Check(KeyVerifier& verifier, Request& request, const Result<Principal>& principal) {
  const bool forwarded = IsForwardedKeyCheck(request.path);
  // A forwarded check's query is its client's: it must not choose what is checked.
  Result<CheckQuery> query =
      forwarded ? Result<CheckQuery>(CheckQuery{}) : ReadCheckQuery(request.query);
  if (!query.ok()) return KeyCheckRefused(query.status());
  if (!principal.ok()) return KeyCheckRefused(principal.status());
  const KeyState& key = *principal->key;
  if (query->permission) {
    const Status allowed = KeyVerifier::CheckPermission(key, *query->permission);
    if (!allowed.ok()) return KeyCheckRefused(allowed);
  }
  // Without ?org=, a scoped key is still only as good as its owner's membership there.
  const std::string_view org = query->org   ? std::string_view(*query->org)
                               : key.org_id ? std::string_view(*key.org_id)
                                            : std::string_view();
  if (!org.empty()) {
    const Status access = verifier.CheckOrgAccess(key, org);
    if (!access.ok()) return KeyCheckRefused(access);
  }
  return KeyCheckGranted(key, org, forwarded);
}

}  // namespace

HttpResponse KeyCheckGranted(const KeyState& key, std::string_view org, bool forwarded) {
  HttpResponse res{forwarded ? status::ok : status::no_content, 11};
  res.set("X-2501-Account", key.account_id);
  res.set("X-2501-Key", key.key_id);
  res.set("X-2501-Org", org);
  if (forwarded) res.set(field::content_length, "0");
  return res;
}

HttpResponse KeyCheckRefused(const Status& status) {
  HttpResponse res = ErrorResponse(status);
  res.set("X-2501-Error", CodeName(status.code()));
  switch (res.result_int()) {
    case 401:
      res.set(field::www_authenticate, status.code() == StatusCode::kUnauthenticated
                                           ? kNoKeyChallenge
                                           : kInvalidTokenChallenge);
      break;
    case 403:
      res.set(field::www_authenticate, kInsufficientScopeChallenge);
      break;
    default:
      break;
  }
  return res;
}

void AddCheckRoutes(Routes& routes, KeyVerifier& verifier) {
  routes.KeyCheck(verb::get, std::string(kKeyCheckPath),
                  [&verifier](Request& request, const Result<Principal>& principal) {
                    return Check(verifier, request, principal);
                  });
}

}  // namespace tfzo::http
