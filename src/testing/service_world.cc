#include "testing/service_world.h"

#include <utility>

namespace tfzo::testing {

ServiceWorld::ServiceWorld()
    : hasher_(PasswordHasher::kCheapParams),
      login_failures_(clock_, AccountService::kLoginFailureLimit,
                      AccountService::kLoginFailureWindow),
      deps_{*store_, clock_, random_, kConsoleUrl},
      accounts_(deps_, hasher_, {.login_email = &login_failures_}),
      orgs_(deps_),
      keys_(deps_, {}) {}

AccountService::SessionGrant ServiceWorld::SignUp(const std::string& email, std::string_view name) {
  auto grant = accounts_.Signup(email, Secret("password123"), name, kIp);
  EXPECT_TRUE(grant.ok()) << grant.status().message();
  return std::move(grant).value();
}

Caller ServiceWorld::NewAccount(const std::string& email, std::string_view name) {
  return Caller{SignUp(email, name).account.id, kIp};
}

}  // namespace tfzo::testing
