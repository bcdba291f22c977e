#ifndef TFZO_HTTP_CONSOLE_ROUTES_H_
#define TFZO_HTTP_CONSOLE_ROUTES_H_

#include "core/time.h"
#include "http/routes.h"
#include "service/account_service.h"
#include "service/credential_service.h"
#include "service/email_service.h"
#include "service/exposure_service.h"
#include "service/invitation_service.h"
#include "service/key_service.h"
#include "service/org_service.h"
#include "service/service_account_service.h"
#include "service/two_factor_service.h"

namespace tfzo::http {

// What the console's routes call. References; the services outlive the routes.
struct ConsoleServices {
  AccountService& accounts;
  OrgService& orgs;
  KeyService& keys;
  EmailService& email;
  InvitationService& invitations;
  CredentialService& credentials;
  TwoFactorService& two_factor;
  ServiceAccountService& service_accounts;
  const Clock& clock;
  bool secure_cookie;         // served over TLS: the session cookie is __Host- and Secure
  ExposureService& exposure;  // GET /api/session's exposed_keys
};

// The console's routes (docs/spec/API.md "Console"): sign-up and login, then the session
// cookie with the CSRF header on state changes: the account, audit log, orgs and keys.
void AddConsoleRoutes(Routes& routes, const ConsoleServices& svc);

// Parts of the console's routes, in files of their own (called by AddConsoleRoutes):
// verifying and changing addresses (email_routes.cc), invitations (invitation_routes.cc), a
// person's own credentials (credential_routes.cc), two-factor sign-in: its setup, and the
// sign-in's second step (two_factor_routes.cc), an organization's service accounts and their
// keys (service_account_routes.cc).
void AddEmailRoutes(Routes& routes, const ConsoleServices& svc);
void AddInvitationRoutes(Routes& routes, const ConsoleServices& svc);
void AddCredentialRoutes(Routes& routes, const ConsoleServices& svc);
void AddTwoFactorRoutes(Routes& routes, const ConsoleServices& svc);
void AddServiceAccountRoutes(Routes& routes, const ConsoleServices& svc);
void AddPolicyRoutes(Routes& routes, const ConsoleServices& svc);

// The answer to a sign-up or login: the account, the CSRF token, and the session cookie.
HttpResponse SessionStarted(bool secure_cookie, beast_http::status st,
                            const AccountService::SessionGrant& grant);
// 204 with the session cookie cleared (logout, account deletion).
HttpResponse SessionEnded(bool secure_cookie);
// The request's User-Agent ("" without one), which the session records.
std::string_view UserAgent(const Request& request);

// A key's fields in a body (docs/spec/API.md "Console: API keys"), for every route that makes,
// edits or rotates keys: "name", "description", "expires_at", "permissions", "allowed_ips" of a
// new key (org_id aside); a PATCH's fields; a rotation's "expires_at" and "overlap_seconds".
Result<KeyService::CreateRequest> ReadKeyCreate(const JsonBody& body);
Result<KeyService::Patch> ReadKeyPatch(const JsonBody& body);
struct KeyRotation {
  std::optional<std::optional<Time>> expires_at;  // absent: keep
  std::chrono::seconds overlap{0};
};
Result<KeyRotation> ReadKeyRotation(const JsonBody& body);

}  // namespace tfzo::http

#endif  // TFZO_HTTP_CONSOLE_ROUTES_H_
