#ifndef TFZO_HTTP_API_H_
#define TFZO_HTTP_API_H_

#include <chrono>
#include <optional>
#include <string_view>

#include "auth/authenticator.h"
#include "auth/key_verifier.h"
#include "auth/usage_recorder.h"
#include "http/message.h"
#include "http/metrics.h"
#include "http/router.h"
#include "http/static_files.h"
#include "model/store.h"
#include "service/account_service.h"
#include "service/credential_service.h"
#include "service/device_service.h"
#include "service/email_service.h"
#include "service/exposure_service.h"
#include "service/invitation_service.h"
#include "service/key_service.h"
#include "service/me_service.h"
#include "service/org_service.h"
#include "service/resource_service.h"
#include "service/service_account_service.h"
#include "service/two_factor_service.h"
#include "service/verify_service.h"

namespace tfzo::http {

// Every route of docs/spec/API.md, by audience: the console (console_routes.h), the CLI
// (cli_routes.h), other services (service_routes.h), operations (ops_routes.h); the console
// files for other GET and HEAD paths. Api owns the router and dispatches: a function from
// request to response (Beast's handle_request), adding the headers and metrics every answer
// carries. References the services, authenticators, static files and metrics, which outlive
// it. Thread-safe; no sockets.
class Api {
 public:
  struct Services {
    AccountService& accounts;
    OrgService& orgs;
    KeyService& keys;
    EmailService& email;
    InvitationService& invitations;
    CredentialService& credentials;
    TwoFactorService& two_factor;
    ServiceAccountService& service_accounts;
    ResourceService& resources;
    MeService& me;
    VerifyService& verify;
    // Reports of exposed keys; the session's exposed_keys.
    ExposureService& exposure;
    DeviceService& device;       // device authorization (2501 login)
    Authenticator& sessions;     // console routes
    Authenticator& bearer;       // CLI routes
    KeyVerifier& verifier;       // {org} scope checks, cache figures
    const UsageRecorder& usage;  // its flushes' figures
    Store& store;                // /healthz
    const Clock& clock;
  };
  struct Options {
    // Browsers reach the console over HTTPS (--tls-cert, or an https --public-url in front):
    // the session cookie is __Host- and Secure, and every answer carries HSTS.
    bool secure_cookie = false;
    // --public-url's origin: the one browsers' requests must come from ("": Host's).
    std::string public_origin{};
  };

  Api(Services services, StaticFiles& static_files, Metrics& metrics, Options options);

  HttpResponse Handle(Request& request);
  // The same, answered from memory on the calling (I/O) thread when the route allows it and
  // everything it needs is cached; nullopt otherwise (then call Handle() on the pool).
  std::optional<HttpResponse> TryHandleInline(Request& request);

 private:
  std::optional<HttpResponse> Dispatch(Request& request, bool cache_only);
  // The headers every answer carries, and its metrics.
  HttpResponse Finish(Request& request, std::string_view route, HttpResponse res,
                      std::chrono::steady_clock::time_point started);

  StaticFiles& static_files_;
  Metrics& metrics_;
  const bool hsts_;
  Router router_;
};

}  // namespace tfzo::http

#endif  // TFZO_HTTP_API_H_
