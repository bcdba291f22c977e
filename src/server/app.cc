#include "server/app.h"

#include "http/cli_routes.h"

namespace tfzo {

App::App(const AppOptions& options, Store& store, const Clock& clock, Random& random)
    : store(store),
      hasher(options.password_params),
      usage(store, options.usage_interval),
      verifier(store, clock, &usage),
      login_failures(clock, AccountService::kLoginFailureLimit,
                     AccountService::kLoginFailureWindow),
      key_failures(clock, options.key_failure_limit, BearerAuthenticator::kUnknownKeyWindow),
      deps{store, clock, random},
      accounts(deps, hasher, &login_failures),
      orgs(deps),
      keys(deps, KeyService::Options{options.max_key_lifetime_days}),
      resources(deps),
      me(verifier, &usage, clock, http::RenderMe),
      verify(verifier, &key_failures),
      sessions(accounts),
      bearer(verifier, &key_failures),
      static_files(options.web_dir),
      api(
          {
              .accounts = accounts,
              .orgs = orgs,
              .keys = keys,
              .resources = resources,
              .me = me,
              .verify = verify,
              .sessions = sessions,
              .bearer = bearer,
              .verifier = verifier,
              .store = store,
              .clock = clock,
          },
          static_files, metrics, http::Api::Options{.secure_cookie = options.secure_cookie}) {
  store.SetChangeListener([this](const Change& change) { verifier.OnChange(change); });
}

App::~App() { store.SetChangeListener(nullptr); }

std::unique_ptr<App> BuildApp(const AppOptions& options, Store& store, const Clock& clock,
                              Random& random) {
  return std::make_unique<App>(options, store, clock, random);
}

}  // namespace tfzo
