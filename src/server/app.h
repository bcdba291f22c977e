#ifndef TFZO_SERVER_APP_H_
#define TFZO_SERVER_APP_H_

#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "auth/bearer_authenticator.h"
#include "auth/bounded_pool.h"
#include "auth/failure_limiter.h"
#include "auth/key_verifier.h"
#include "auth/password_hasher.h"
#include "auth/usage_recorder.h"
#include "core/random.h"
#include "core/time.h"
#include "http/api.h"
#include "http/metrics.h"
#include "http/static_files.h"
#include "model/store.h"
#include "service/account_service.h"
#include "service/credential_service.h"
#include "service/device_service.h"
#include "service/email_service.h"
#include "service/exposure_service.h"
#include "service/invitation_service.h"
#include "service/key_list.h"
#include "service/key_notices.h"
#include "service/key_service.h"
#include "service/me_service.h"
#include "service/org_service.h"
#include "service/resource_service.h"
#include "service/service_account_service.h"
#include "service/session_authenticator.h"
#include "service/session_purge.h"
#include "service/unused_keys.h"
#include "service/verify_service.h"

namespace tfzo {

// What differs between the server, its tests and the fuzzer; every other setting (throttling
// limits and windows, session lifetimes) is the named constant of the class that uses it.
struct AppOptions {
  // --max-key-lifetime.
  std::optional<int> max_key_lifetime_days{};
  // --max-active-keys, --max-orgs: per-account quotas (409 quota_exceeded).
  int max_active_keys = kDefaultMaxActiveKeys;
  int max_orgs = kDefaultMaxOrgs;
  // --key-failure-limit: unknown or malformed keys one address may send per
  // BearerAuthenticator::kUnknownKeyWindow.
  int key_failure_limit = BearerAuthenticator::kDefaultUnknownKeyLimit;
  // Browsers reach the console over HTTPS (--tls-cert, or an https --public-url): the session
  // cookie is __Host- and Secure, and answers carry Strict-Transport-Security.
  bool secure_cookie = false;
  // --public-url's origin ("https://host[:port]"): browsers' requests must come from it; ""
  // takes the request's Host instead.
  std::string public_origin{};
  // --web-dir: serve the console from there; "" for the embedded copy.
  std::string web_dir{};
  // --public-url's base: the start of links in mails. "" when not given: the wiring then sets
  // App::console_url to the address it listens on, before serving.
  std::string console_url{};
  // --stale-for: how long cached keys keep answering while the database is unreachable.
  std::chrono::seconds stale_for = KeyVerifier::Options{}.stale_for;
  // How often key uses are written to the store.
  std::chrono::milliseconds usage_interval = UsageRecorder::kDefaultInterval;
  PasswordHasher::Params password_params{};
  // --signin-address-limit: failed sign-ins one address may make per
  // AccountService::kLoginAddressWindow.
  int login_address_limit = AccountService::kDefaultLoginAddressLimit;
  // --signup-address-limit: sign-ups one address may make per
  // AccountService::kSignupAddressWindow.
  int signup_address_limit = AccountService::kDefaultSignupAddressLimit;
  // --hash-threads: threads hashing passwords; 0 for half the cores (see SizeHashingPool).
  int hash_threads = 0;
  // The HTTP server's worker threads, which sign-ins block while they wait for a hash; 0 for
  // http::HttpServer's default.
  int http_workers = 0;
};

// The password hashing pool's shape. A sign-in blocks its HTTP worker thread while it hashes
// or waits to, so `threads + max_waiting` (sign-ins in progress) stays below `http_workers`:
// a flood of sign-ins leaves at least one worker to everything else and gets 503 beyond that.
// `threads`: `hash_threads`, or half the cores (at least 1); `max_waiting`: twice that, both
// clamped to that bound.

struct HashingPoolSize {
  int threads;
  int max_waiting;
};
HashingPoolSize SizeHashingPool(int hash_threads, int http_workers, unsigned cores);

// The server's object graph without its sockets: every service, the key verifier and usage
// recorder, the limiters, the authenticators, static files, metrics and the Api, connected
// once, here. Owns all of it; the store, clock and random source are the caller's and must
// outlive it. Registers the verifier as the store's change listener (and unregisters it when
// destroyed). Thread-safe, as its parts are.
struct App {
  App(const AppOptions& options, Store& store, const Clock& clock, Random& random);
  ~App();
  App(const App&) = delete;
  App& operator=(const App&) = delete;

  Store& store;
  BoundedPool hashing;  // argon2id runs here, nowhere else
  PasswordHasher hasher;
  UsageRecorder usage;
  KeyVerifier verifier;
  FailureLimiter login_failures;           // per email
  FailureLimiter login_address_failures;   // failed sign-ins per client address
  FailureLimiter signup_addresses;         // sign-ups per client address
  FailureLimiter key_failures;             // unknown keys per client address
  FailureLimiter links_per_account;        // verification links mailed for one account
  FailureLimiter links_per_address;        // verification and claim links mailed to one address
  FailureLimiter invitations_per_owner;    // invitations one owner sends
  FailureLimiter invitations_per_address;  // invitations one address receives
  FailureLimiter resets_per_client;        // password reset requests and bad tokens per client
  FailureLimiter resets_per_email;         // password reset requests per e-mail address
  FailureLimiter two_factor_failures;      // wrong two-factor codes per account
  FailureLimiter two_factor_addresses;     // wrong two-factor codes per client address
  FailureLimiter exposure_reports;         // reports of exposed keys per client address
  FailureLimiter device_codes;             // device codes made per client address
  FailureLimiter device_guesses;           // unknown user codes per account and per address
  // The base of links in mails (AppOptions::console_url). Set before the first request, read
  // only after.
  std::string console_url;
  ServiceDeps deps;
  EmailService email;
  TwoFactorService two_factor;
  AccountService accounts;
  InvitationService invitations;
  CredentialService credentials;
  OrgService orgs;
  KeyService keys;
  ServiceAccountService service_accounts;
  ExpiryNotices expiry_notices;     // started by the server (main), not by the tests
  SessionPurge session_purge;       // likewise
  UnusedKeyRevocation unused_keys;  // likewise
  ResourceService resources;
  MeService me;
  VerifyService verify;
  ExposureService exposure;
  DeviceService device;
  SessionAuthenticator sessions;
  BearerAuthenticator bearer;
  http::StaticFiles static_files;
  http::Metrics metrics;
  http::Api api;
};

// The one wiring of the server (src/server/main.cc), its unit tests and the fuzz fixture.
std::unique_ptr<App> BuildApp(const AppOptions& options, Store& store, const Clock& clock,
                              Random& random);

}  // namespace tfzo

#endif  // TFZO_SERVER_APP_H_
