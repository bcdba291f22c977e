#ifndef TFZO_HTTP_API_H_
#define TFZO_HTTP_API_H_

#include <optional>
#include <string>

#include "auth/failure_limiter.h"
#include "auth/key_verifier.h"
#include "auth/sharded_cache.h"
#include "http/json_codec.h"
#include "http/message.h"
#include "http/metrics.h"
#include "http/router.h"
#include "http/static_files.h"
#include "service/account_service.h"
#include "service/key_service.h"
#include "service/org_service.h"
#include "service/resource_service.h"

namespace tfzo::http {

// Every route of docs/spec/API.md: translates requests into service calls and Status into the
// error body. Owns the router; references the services, which outlive it. Handle() is a
// function from request to response (Beast's handle_request): thread-safe, no sockets.
class Api {
 public:
  struct Services {
    AccountService& accounts;
    OrgService& orgs;
    KeyService& keys;
    ResourceService& resources;
    KeyVerifier& verifier;
    UsageRecorder* usage;          // may be null
    FailureLimiter* key_failures;  // per client address; may be null
    Store& store;
    const Clock& clock;
  };
  struct Options {
    bool secure_cookie = false;  // served over TLS: __Host- prefix and Secure
  };

  Api(Services services, StaticFiles& static_files, Metrics& metrics, Options options);

  HttpResponse Handle(Request& request);
  // The same, answered from memory on the calling (I/O) thread when the route allows it and
  // everything it needs is cached; nullopt otherwise (then call Handle() on the pool).
  std::optional<HttpResponse> TryHandleInline(Request& request);

 private:
  // A console request's authenticated session.
  struct Session {
    AccountService::SessionInfo info;
    Caller caller;
  };

  std::optional<HttpResponse> Dispatch(Request& request, bool cache_only);
  // The headers every answer carries, and its metrics.
  HttpResponse Finish(Request& request, std::string_view route, HttpResponse res,
                      std::chrono::steady_clock::time_point started);
  void AddConsoleRoutes();
  void AddCliRoutes();
  void AddOpsRoutes();

  // Routes without a credential (sign-up, login, verify): errors become the error body.
  using PublicHandler = std::function<Result<HttpResponse>(Request&)>;
  void Public(beast_http::verb method, std::string pattern, PublicHandler handler,
              bool may_run_inline = false);
  // Console routes: session cookie, and the CSRF header on state changes.
  using ConsoleHandler = std::function<Result<HttpResponse>(Request&, const Session&)>;
  void Console(beast_http::verb method, std::string pattern, ConsoleHandler handler);
  // CLI routes: a Bearer key; with `org_scoped`, the {org} of the path passes the scope check.
  using CliHandler = std::function<Result<HttpResponse>(Request&, const KeyState&)>;
  void Cli(beast_http::verb method, std::string pattern, bool org_scoped, CliHandler handler,
           bool may_run_inline = false);

  Result<Session> ConsoleSession(Request& request);
  Result<KeyState> BearerKey(Request& request);
  HttpResponse SessionStarted(beast_http::status status, const AccountService::SessionGrant& grant);
  std::string SessionCookieName() const;
  HttpResponse Json(const json& body, beast_http::status status = beast_http::status::ok) const;

  static constexpr size_t kMaxMeAnswers = 100000;
  // A built /api/v1/me answer and the cached parts it was built from (see the handler).
  struct MeAnswer {
    std::shared_ptr<const AccountRecord> account;
    std::shared_ptr<const KeyRecord> record;
    std::shared_ptr<const std::vector<MembershipRecord>> memberships;
    std::optional<Time> last_used;
    std::string_view status;
    std::string body;
  };

  Services s_;
  StaticFiles& static_files_;
  Metrics& metrics_;
  Options options_;
  Router router_;
  ShardedCache<std::string, std::shared_ptr<const MeAnswer>> me_answers_{s_.clock,
                                                                         std::chrono::hours(1)};
};

}  // namespace tfzo::http

#endif  // TFZO_HTTP_API_H_
