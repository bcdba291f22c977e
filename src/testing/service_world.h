#ifndef TFZO_TESTING_SERVICE_WORLD_H_
#define TFZO_TESTING_SERVICE_WORLD_H_

#include <string>
#include <string_view>

#include "auth/failure_limiter.h"
#include "auth/password_hasher.h"
#include "service/account_service.h"
#include "service/context.h"
#include "service/key_service.h"
#include "service/org_service.h"
#include "testing/key_world.h"

namespace tfzo::testing {

// A VerifierWorld with the services wired over it as the server wires them (AccountService
// throttling failed logins by the spec's limits, OrgService, KeyService), a cheap
// PasswordHasher, and no account yet: for the tests of service/. Owned by the test fixture
// deriving from it; thread-safe as its services are.
class ServiceWorld : public VerifierWorld {
 protected:
  // Where the helpers' requests come from.
  static constexpr char kIp[] = "127.0.0.1";
  // The base of links in mails.
  static inline const std::string kConsoleUrl = "https://accounts.test";

  ServiceWorld();

  // Signs `email` up with the password "password123"; the new session.
  AccountService::SessionGrant SignUp(const std::string& email, std::string_view name = "Ada");
  // Signs `email` up as SignUp does; the new account as a caller.
  Caller NewAccount(const std::string& email, std::string_view name = "Ada");

  PasswordHasher hasher_;
  FailureLimiter login_failures_;
  ServiceDeps deps_;
  AccountService accounts_;
  OrgService orgs_;
  KeyService keys_;
};

}  // namespace tfzo::testing

#endif  // TFZO_TESTING_SERVICE_WORLD_H_
