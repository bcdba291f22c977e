#ifndef TFZO_HTTP_ROUTES_H_
#define TFZO_HTTP_ROUTES_H_

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "auth/authenticator.h"
#include "http/json_codec.h"
#include "http/message.h"
#include "http/router.h"
#include "http/same_origin.h"
#include "service/context.h"

namespace tfzo::http {

// The session cookie's name: with TLS (`secure`), the __Host- prefix binds it to this origin.
std::string_view SessionCookieName(bool secure);

// A JSON answer of `body`.
HttpResponse Json(const json& body, beast_http::status status = beast_http::status::ok);

// A console request's signed-in session, as its handler sees it.
struct Session {
  const AccountRecord& account;
  const std::string& csrf_token;
  std::string_view token;  // the session cookie's value
  Caller caller;
};

// Adds routes to a Router, each wrapped in its audience's authentication: the translation of
// a request's headers into Credentials, of an Authenticator's refusal or a handler's Status
// into the error body, and the key check into the request's metrics label; browsers' cross-site
// requests are refused where a session is started or used to change something. Used while the
// Api is built; references the router and the authenticators, which outlive the routes.
class Routes {
 public:
  // Routes without a credential (sign-up, login, verify, operations).
  using PublicHandler = std::function<Result<HttpResponse>(Request&)>;
  // Console routes: the session cookie, and the CSRF header on state changes.
  using ConsoleHandler = std::function<Result<HttpResponse>(Request&, const Session&)>;
  // CLI routes: a Bearer key.
  using CliHandler = std::function<Result<HttpResponse>(Request&, const KeyState&)>;
  // The key check (check_routes.h): the Bearer key's authentication, refused or not; the
  // handler answers refusals itself, in the headers proxies read.
  using KeyCheckHandler = std::function<HttpResponse(Request&, const Result<Principal>&)>;

  // `same_origin`: the origin the console is served from (see SameOrigin).
  Routes(Router& router, Authenticator& sessions, Authenticator& keys, bool secure_cookie,
         SameOrigin same_origin = SameOrigin())
      : router_(router),
        sessions_(sessions),
        keys_(keys),
        secure_cookie_(secure_cookie),
        same_origin_(std::move(same_origin)) {}

  // `may_run_inline`: see Router::Add.
  void Public(beast_http::verb method, std::string pattern, PublicHandler handler,
              bool may_run_inline = false);
  // Public routes that start a session (sign-up, login): cross-site requests are refused (403
  // cross_site_request) before the handler runs, so that no other site signs a browser in.
  void SignIn(beast_http::verb method, std::string pattern, PublicHandler handler);
  // POST, PUT, PATCH and DELETE refuse cross-site requests too, before the session is read.
  void Console(beast_http::verb method, std::string pattern, ConsoleHandler handler);
  // `needs`: the permission the key must have (docs/spec/API.md "Permissions"); nullopt: none.
  void Cli(beast_http::verb method, std::string pattern, std::optional<Permission> needs,
           CliHandler handler, bool may_run_inline = false);
  // Authenticated as Cli's routes (the same limiter, the same key-check metrics); always may
  // run inline (Router::Add): the handler must have no side effect before its last cache
  // lookup, as GET /api/v1/me's.
  void KeyCheck(beast_http::verb method, std::string pattern, KeyCheckHandler handler);

 private:
  Router& router_;
  Authenticator& sessions_;
  Authenticator& keys_;
  bool secure_cookie_;
  SameOrigin same_origin_;
};

// Paths under /api/v1/ are the Bearer paths: their 401s carry the Bearer challenge.
inline bool IsBearerPath(std::string_view path) { return path.starts_with("/api/v1/"); }

}  // namespace tfzo::http

#endif  // TFZO_HTTP_ROUTES_H_
