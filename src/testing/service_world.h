#ifndef TFZO_TESTING_SERVICE_WORLD_H_
#define TFZO_TESTING_SERVICE_WORLD_H_

#include <string>
#include <string_view>

#include "auth/failure_limiter.h"
#include "auth/password_hasher.h"
#include "service/account_service.h"
#include "service/context.h"
#include "service/email_service.h"
#include "service/invitation_service.h"
#include "service/key_service.h"
#include "service/org_service.h"
#include "testing/key_world.h"

namespace tfzo::testing {

// A VerifierWorld with the services wired over it as the server wires them (AccountService
// throttling failed logins by the spec's limits, EmailService, InvitationService, OrgService,
// KeyService), a cheap
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

  // Signs `email` up as NewAccount does, then verifies its address as following a link does
  // (EmailService::Verify), with a verify_email token stored for the purpose.
  Caller NewVerifiedAccount(const std::string& email, std::string_view name = "Ada");
  // Stores a token of `purpose` for `account_id` and `email`, valid for EmailService's
  // lifetime from now; the token's value.
  std::string StoreToken(const char* purpose, const std::string& account_id,
                         const std::string& email);

  // Makes `member` a member of `org_id` the way people join: `owner` invites its address
  // and it accepts (both addresses verified first, if they were not).
  Status Join(const Caller& owner, const std::string& org_id, const Caller& member,
              Role role = Role::kMember);
  // Verifies the account's current address, as following its link does.
  void Verify(const Caller& caller);

  PasswordHasher hasher_;
  FailureLimiter login_failures_;
  ServiceDeps deps_;
  EmailService email_;
  AccountService accounts_;
  InvitationService invitations_;
  OrgService orgs_;
  KeyService keys_;
};

}  // namespace tfzo::testing

#endif  // TFZO_TESTING_SERVICE_WORLD_H_
