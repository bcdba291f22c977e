#include "http/api.h"

#include <spdlog/spdlog.h>

#include "http/check_routes.h"
#include "http/cli_routes.h"
#include "http/console_routes.h"
#include "http/device_routes.h"
#include "http/exposure_routes.h"
#include "http/log_safe.h"
#include "http/ops_routes.h"
#include "http/routes.h"
#include "http/service_routes.h"

namespace tfzo::http {

using beast_http::field;
using beast_http::status;
using beast_http::verb;

namespace {

// The routes whose limits count mails (links, invitations, password resets) and the password
// checks of a signed-in account's changes, rather than sign-ins or keys.
bool IsMailRoute(std::string_view route) {
  return route == "/api/email/verify/resend" || route == "/api/account" ||
         route == "/api/orgs/{org}/invitations" || route == "/api/account/password" ||
         route == "/api/password/forgot" || route == "/api/password/reset";
}

// The device authorization routes: codes asked for, and user codes typed in the console.
bool IsDeviceRoute(std::string_view route) {
  return route.starts_with("/api/v1/device/") || route.starts_with("/api/device/");
}

}  // namespace

Api::Api(Services s, StaticFiles& static_files, Metrics& metrics, Options options)
    : static_files_(static_files), metrics_(metrics), hsts_(options.secure_cookie) {
  Routes routes(router_, s.sessions, s.bearer, options.secure_cookie,
                SameOrigin(options.public_origin));
  AddConsoleRoutes(routes,
                   {s.accounts, s.orgs, s.keys, s.email, s.invitations, s.credentials, s.two_factor,
                    s.service_accounts, s.clock, options.secure_cookie, s.exposure});
  AddCliRoutes(routes, {s.me, s.resources, s.verifier});
  AddCheckRoutes(routes, s.verifier);
  AddServiceRoutes(routes, s.verify);
  AddExposureRoutes(routes, s.exposure, metrics);
  AddDeviceRoutes(routes, {s.device, s.keys, s.clock});
  AddOpsRoutes(routes, {s.store, s.verifier, s.usage, metrics});
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
  // Envoy's ext_authz asks about a request with that request's method and path, under the
  // key check's path: the key check answers them all.
  Router::Match match = IsForwardedKeyCheck(request.path)
                            ? router_.Find(verb::get, kKeyCheckPath, request.params)
                            : router_.Find(request.msg.method(), request.path, request.params);
  if (cache_only && (match.handler == nullptr || !match.may_run_inline)) return std::nullopt;
  HttpResponse res;
  // The route label comes from a fixed set (see Metrics): a pattern the router holds, or
  // "static" / "unknown" below; never anything taken from the request.
  std::string_view route = match.pattern;
  if (match.handler != nullptr) {
    try {
      if (cache_only) {
        KeyVerifier::CacheOnlyScope scope;
        DeferredErrorLog errors;  // a miss's 503 is never sent: nothing to log then
        res = (*match.handler)(request);
        if (scope.missed()) return std::nullopt;
        errors.Emit();
      } else {
        res = (*match.handler)(request);
      }
    } catch (const std::exception& e) {
      spdlog::error("request {} failed: {}", request.request_id, LogSafe(e.what()));
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
  // Console files and the API description revalidate (no-cache) rather than never store.
  AddSecurityHeaders(res, hsts_,
                     /*cacheable=*/route == "static" || route == "/api/openapi.json");
  if (request.msg.method() == verb::head) res.body().clear();

  if (!request.key_check.empty()) metrics_.RecordKeyCheck(request.key_check);
  if (res.result() == status::too_many_requests || request.rate_limited) {
    const bool login =
        route == "/api/login" || route == "/api/login/2fa" || route == "/api/account/totp/disable";
    metrics_.RecordRateLimited(login                                   ? "login"
                               : route == "/api/signup"                ? "signup"
                               : IsMailRoute(route)                    ? "mail"
                               : route == "/api/v1/credentials/revoke" ? "report"
                               : IsDeviceRoute(route)                  ? "device"
                                                                       : "key");
  }
  // Any method token may arrive (Beast passes unknown ones through); Metrics records those
  // as "other".
  metrics_.RecordRequest(route, request.msg.method_string(), res.result_int(),
                         std::chrono::steady_clock::now() - started);
  return res;
}

}  // namespace tfzo::http
