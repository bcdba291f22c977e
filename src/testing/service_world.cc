#include "testing/service_world.h"

#include <utility>

#include "core/digest.h"

namespace tfzo::testing {

ServiceWorld::ServiceWorld()
    : hasher_(PasswordHasher::kCheapParams),
      login_failures_(clock_, AccountService::kLoginFailureLimit,
                      AccountService::kLoginFailureWindow),
      deps_{*store_, clock_, random_, kConsoleUrl},
      email_(deps_, hasher_),
      accounts_(deps_, hasher_, email_, {.login_email = &login_failures_}),
      invitations_(deps_),
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

std::string ServiceWorld::StoreToken(const char* purpose, const std::string& account_id,
                                     const std::string& email) {
  std::string token = NewToken(random_, 32);
  const TokenRecord record{.digest = Sha256(token),
                           .purpose = purpose,
                           .account_id = account_id,
                           .email = email,
                           .created_at = clock_.Now(),
                           .expires_at = clock_.Now() + EmailService::kLinkLifetime};
  const Status stored = store_->CreateToken(
      record, deps_.Event("account.email_verification_sent", {account_id, kIp}, account_id));
  EXPECT_TRUE(stored.ok()) << stored.message();
  return token;
}

void ServiceWorld::Verify(const Caller& caller) {
  auto account = store_->FindAccount(caller.account_id);
  ASSERT_TRUE(account.ok());
  if (account->email_verified_at) return;
  auto verified =
      email_.Verify(StoreToken(TokenRecord::kVerifyEmail, caller.account_id, account->email), kIp);
  EXPECT_TRUE(verified.ok()) << verified.status().message();
}

Caller ServiceWorld::NewVerifiedAccount(const std::string& email, std::string_view name) {
  Caller caller = NewAccount(email, name);
  Verify(caller);
  return caller;
}

Status ServiceWorld::Join(const Caller& owner, const std::string& org_id, const Caller& member,
                          Role role) {
  Verify(owner);
  Verify(member);
  ASSIGN_OR_RETURN(AccountRecord account, store_->FindAccount(member.account_id));
  ASSIGN_OR_RETURN(InvitationRecord invitation,
                   invitations_.Invite(owner, org_id, account.email, role));
  return invitations_.Accept(member, invitation.id).status();
}

}  // namespace tfzo::testing
