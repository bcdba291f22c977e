#include "server/app.h"

#include <algorithm>
#include <thread>

#include "http/cli_routes.h"
#include "http/http_server.h"
#include "http/service_routes.h"

namespace tfzo {

HashingPoolSize SizeHashingPool(int hash_threads, int http_workers, unsigned cores) {
  if (http_workers <= 0) http_workers = http::HttpServer::Options{}.worker_threads;
  const int in_progress = std::max(1, http_workers - 1);
  int threads = hash_threads > 0 ? hash_threads : std::max(1, static_cast<int>(cores / 2));
  threads = std::min(threads, in_progress);
  return HashingPoolSize{threads, std::min(2 * threads, in_progress - threads)};
}

namespace {

HashingPoolSize PoolSize(const AppOptions& options) {
  return SizeHashingPool(options.hash_threads, options.http_workers,
                         std::thread::hardware_concurrency());
}

}  // namespace

App::App(const AppOptions& options, Store& store, const Clock& clock, Random& random)
    : store(store),
      // argon2id takes a core for tens of milliseconds; key checks, which take microseconds,
      // must not wait behind it for the CPU.
      hashing(PoolSize(options).threads, PoolSize(options).max_waiting,
              BoundedPool::Priority::kIdle, "hash"),
      hasher(options.password_params, &hashing),
      usage(store, options.usage_interval),
      verifier(store, clock, &usage, KeyVerifier::Options{.stale_for = options.stale_for}),
      login_failures(clock, AccountService::kLoginFailureLimit,
                     AccountService::kLoginFailureWindow),
      login_address_failures(clock, options.login_address_limit,
                             AccountService::kLoginAddressWindow),
      signup_addresses(clock, options.signup_address_limit, AccountService::kSignupAddressWindow),
      key_failures(clock, options.key_failure_limit, BearerAuthenticator::kUnknownKeyWindow),
      links_per_account(clock, EmailService::kLinksPerAccount, EmailService::kLinkWindow),
      links_per_address(clock, EmailService::kLinksPerAddress, EmailService::kLinkWindow),
      invitations_per_owner(clock, InvitationService::kPerOwner, InvitationService::kWindow),
      invitations_per_address(clock, InvitationService::kPerAddress, InvitationService::kWindow),
      resets_per_client(clock, CredentialService::kResetsPerClient,
                        CredentialService::kResetWindow),
      resets_per_email(clock, CredentialService::kResetsPerEmail, CredentialService::kResetWindow),
      two_factor_failures(clock, TwoFactorService::kFailureLimit, TwoFactorService::kFailureWindow),
      two_factor_addresses(clock, TwoFactorService::kAddressFailureLimit,
                           TwoFactorService::kFailureWindow),
      exposure_reports(clock, ExposureService::kReportsPerAddress, ExposureService::kReportWindow),
      device_codes(clock, DeviceService::kCodesPerAddress, DeviceService::kCodeWindow),
      device_guesses(clock, DeviceService::kGuessesPerSubject, DeviceService::kGuessWindow),
      console_url(options.console_url),
      deps{store, clock, random, console_url},
      email(deps, hasher,
            {.account = &links_per_account,
             .address = &links_per_address,
             .password_email = &login_failures,
             .password_address = &login_address_failures}),
      two_factor(deps, hasher, {.account = &two_factor_failures, .address = &two_factor_addresses}),
      accounts(deps, hasher, email,
               {.login_email = &login_failures,
                .login_address = &login_address_failures,
                .signup_address = &signup_addresses},
               &two_factor),
      invitations(deps, {.owner = &invitations_per_owner, .address = &invitations_per_address}),
      credentials(deps, hasher,
                  {.password_email = &login_failures,
                   .password_address = &login_address_failures,
                   .reset_client = &resets_per_client,
                   .reset_email = &resets_per_email},
                  &two_factor),
      orgs(deps),
      keys(deps, KeyService::Options{options.max_key_lifetime_days}),
      service_accounts(deps, keys),
      expiry_notices(deps),
      session_purge(deps),
      unused_keys(deps),
      resources(deps),
      me(verifier, clock, http::kRenderMe),
      verify(verifier, &key_failures, clock, http::RenderVerdict),
      exposure(deps, &exposure_reports),
      device(deps, keys, {.codes = &device_codes, .guesses = &device_guesses}),
      sessions(accounts),
      bearer(verifier, &key_failures),
      static_files(options.web_dir),
      api(
          {
              .accounts = accounts,
              .orgs = orgs,
              .keys = keys,
              .email = email,
              .invitations = invitations,
              .credentials = credentials,
              .two_factor = two_factor,
              .service_accounts = service_accounts,
              .resources = resources,
              .me = me,
              .verify = verify,
              .exposure = exposure,
              .device = device,
              .sessions = sessions,
              .bearer = bearer,
              .verifier = verifier,
              .usage = usage,
              .store = store,
              .clock = clock,
          },
          static_files, metrics,
          http::Api::Options{.secure_cookie = options.secure_cookie,
                             .public_origin = options.public_origin}) {
  store.SetChangeListener([this](const Change& change) { verifier.OnChange(change); });
  store.SetQuotas(Quotas{.max_active_keys = options.max_active_keys, .max_orgs = options.max_orgs});
}

App::~App() { store.SetChangeListener(nullptr); }

std::unique_ptr<App> BuildApp(const AppOptions& options, Store& store, const Clock& clock,
                              Random& random) {
  return std::make_unique<App>(options, store, clock, random);
}

}  // namespace tfzo
