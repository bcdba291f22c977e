// A person's own credentials at the service layer: a real SQLite store in memory, a fake clock,
// a cheap hasher, the sign-in limiter shared as the server shares it.

#include "service/credential_service.h"

#include <gtest/gtest.h>

#include "core/digest.h"
#include "service/service_account_service.h"
#include "service/session_purge.h"
#include "service/validation.h"
#include "testing/service_world.h"

namespace tfzo {
namespace {

using std::chrono::hours;
using std::chrono::minutes;

class CredentialServiceTest : public testing::ServiceWorld {
 protected:
  CredentialServiceTest()
      : reset_client_(clock_, CredentialService::kResetsPerClient, CredentialService::kResetWindow),
        reset_email_(clock_, CredentialService::kResetsPerEmail, CredentialService::kResetWindow),
        credentials_(deps_, hasher_,
                     {.password_email = &login_failures_,
                      .reset_client = &reset_client_,
                      .reset_email = &reset_email_}) {}

  std::vector<MailMessage> TakeMails() {
    std::vector<MailMessage> out;
    const Time now = clock_.Now();
    for (;;) {
      auto mail = store_->ClaimMail(now, now + hours(1));
      if (!mail.ok() || !mail->has_value()) return out;
      EXPECT_TRUE(store_->MarkMailSent((*mail)->id, now).ok());
      out.push_back((*mail)->message);
    }
  }
  AccountService::SessionGrant SignIn(const std::string& email, const std::string& password) {
    auto grant = accounts_.Login(email, Secret(password), kIp, "Browser/1.0");
    EXPECT_TRUE(grant.ok()) << grant.status().message();
    return std::move(grant).value();
  }
  bool SignedIn(const AccountService::SessionGrant& grant) {
    return accounts_.Authenticate(grant.token.reveal()).ok();
  }
  std::string ResetLink(const std::string& email) {
    EXPECT_TRUE(credentials_.ForgotPassword(email, kIp).ok());
    const auto mails = TakeMails();
    EXPECT_EQ(mails.size(), 1u);
    if (mails.empty()) return "";
    const std::string prefix = kConsoleUrl + "/#/reset?token=";
    const size_t at = mails[0].text.find(prefix);
    return at == std::string::npos ? "" : mails[0].text.substr(at + prefix.size(), 43);
  }
  std::string LastAction(const Caller& caller) {
    return (*accounts_.ListEvents(caller, 1, std::nullopt))[0].action;
  }

  FailureLimiter reset_client_;
  FailureLimiter reset_email_;
  CredentialService credentials_;
};

TEST_F(CredentialServiceTest, ChangePasswordEndsTheOtherSessionsAndMailsANotice) {
  auto first = SignUp("ada@example.com");
  const Caller ada{first.account.id, kIp};
  auto second = SignIn("ada@example.com", "password123");
  TakeMails();

  EXPECT_EQ(credentials_
                .ChangePassword(ada, first.token.reveal(), Secret("wrong-password"),
                                Secret("new password 1"))
                .code(),
            StatusCode::kInvalidCredentials);
  EXPECT_EQ(
      credentials_.ChangePassword(ada, first.token.reveal(), Secret("password123"), Secret("short"))
          .code(),
      StatusCode::kWeakPassword);
  EXPECT_TRUE(SignedIn(second));
  ASSERT_TRUE(credentials_
                  .ChangePassword(ada, first.token.reveal(), Secret("password123"),
                                  Secret("new password 1"))
                  .ok());
  EXPECT_TRUE(SignedIn(first));
  EXPECT_FALSE(SignedIn(second));
  EXPECT_EQ(LastAction(ada), "account.password_changed");
  const auto mails = TakeMails();
  ASSERT_EQ(mails.size(), 1u);
  EXPECT_EQ(mails[0].to, "ada@example.com");
  EXPECT_NE(mails[0].subject.find("password was changed"), std::string::npos);
  EXPECT_NE(mails[0].text.find(kConsoleUrl + "/#/security"), std::string::npos);
  EXPECT_NE(mails[0].text.find(kIp), std::string::npos);
  EXPECT_FALSE(accounts_.Login("ada@example.com", Secret("password123"), kIp).ok());
  EXPECT_TRUE(accounts_.Login("ada@example.com", Secret("new password 1"), kIp).ok());
}

TEST_F(CredentialServiceTest, WrongCurrentPasswordsCountAsFailedSignIns) {
  auto grant = SignUp("ada@example.com");
  const Caller ada{grant.account.id, kIp};
  for (int i = 0; i < AccountService::kLoginFailureLimit; ++i) {
    EXPECT_EQ(credentials_
                  .ChangePassword(ada, grant.token.reveal(), Secret("wrong-password"),
                                  Secret("new password 1"))
                  .code(),
              StatusCode::kInvalidCredentials);
  }
  EXPECT_EQ(credentials_
                .ChangePassword(ada, grant.token.reveal(), Secret("password123"),
                                Secret("new password 1"))
                .code(),
            StatusCode::kRateLimited);
  EXPECT_EQ(accounts_.Login("ada@example.com", Secret("password123"), kIp).status().code(),
            StatusCode::kRateLimited);
}

TEST_F(CredentialServiceTest, ResetByMailWorksOnceEndsSessionsAndClearsTheSignInBlock) {
  auto grant = SignUp("ada@example.com");
  TakeMails();
  for (int i = 0; i < AccountService::kLoginFailureLimit; ++i) {
    EXPECT_FALSE(accounts_.Login("ada@example.com", Secret("guess-guess"), "192.0.2.9").ok());
  }
  EXPECT_EQ(accounts_.Login("ada@example.com", Secret("password123"), kIp).status().code(),
            StatusCode::kRateLimited);

  const std::string token = ResetLink("ada@example.com");
  ASSERT_EQ(token.size(), 43u);
  EXPECT_EQ(store_->FindToken(Sha256(token))->purpose, TokenRecord::kResetPassword);
  EXPECT_EQ(credentials_.ResetPassword(token, Secret("short"), kIp).code(),
            StatusCode::kWeakPassword);
  ASSERT_TRUE(credentials_.ResetPassword(token, Secret("brand new secret"), kIp).ok());
  EXPECT_FALSE(SignedIn(grant));
  EXPECT_EQ(credentials_.ResetPassword(token, Secret("another secret"), kIp).code(),
            StatusCode::kInvalidToken);
  auto signed_in = accounts_.Login("ada@example.com", Secret("brand new secret"), kIp);
  ASSERT_TRUE(signed_in.ok()) << signed_in.status().message();
  EXPECT_EQ(LastAction({grant.account.id, kIp}), "session.login");
  const auto mails = TakeMails();
  ASSERT_EQ(mails.size(), 1u);  // the notice
  EXPECT_NE(mails[0].subject.find("was reset"), std::string::npos);
}

TEST_F(CredentialServiceTest, ResetLinksExpireAfterAnHourAndUnknownAddressesGetTheSameAnswer) {
  SignUp("ada@example.com");
  TakeMails();
  const std::string token = ResetLink("ada@example.com");
  clock_.Advance(CredentialService::kResetLifetime);
  EXPECT_EQ(credentials_.ResetPassword(token, Secret("brand new secret"), kIp).code(),
            StatusCode::kInvalidToken);
  EXPECT_TRUE(credentials_.ForgotPassword("nobody@example.com", kIp).ok());
  EXPECT_TRUE(TakeMails().empty());
  EXPECT_EQ(credentials_.ResetPassword("not-a-token", Secret("brand new secret"), kIp).code(),
            StatusCode::kInvalidToken);
}

TEST_F(CredentialServiceTest, ForgotIsThrottledPerEmailAndPerClient) {
  for (int i = 0; i < CredentialService::kResetsPerEmail; ++i) {
    EXPECT_TRUE(credentials_.ForgotPassword("x@example.com", "192.0.2." + std::to_string(i)).ok());
  }
  EXPECT_EQ(credentials_.ForgotPassword("X@example.com", "192.0.2.99").code(),
            StatusCode::kRateLimited);
  for (int i = 0; i < CredentialService::kResetsPerClient; ++i) {
    EXPECT_TRUE(
        credentials_.ForgotPassword("y" + std::to_string(i) + "@example.com", "198.51.100.1").ok());
  }
  EXPECT_EQ(credentials_.ForgotPassword("z@example.com", "198.51.100.1").code(),
            StatusCode::kRateLimited);
  EXPECT_EQ(
      credentials_.ResetPassword("whatever", Secret("brand new secret"), "198.51.100.1").code(),
      StatusCode::kRateLimited);
}

TEST_F(CredentialServiceTest, SessionsAreListedAndRevoked) {
  auto first = SignUp("ada@example.com");
  const Caller ada{first.account.id, kIp};
  clock_.Advance(minutes(5));
  auto second = SignIn("ada@example.com", "password123");
  auto third = SignIn("ada@example.com", "password123");
  const Caller bob = NewAccount("bob@example.com");

  auto list = credentials_.ListSessions(ada, first.token.reveal());
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->sessions.size(), 3u);
  EXPECT_EQ(list->sessions.back().id, list->current_id);  // seen longest ago
  EXPECT_EQ(list->sessions[0].user_agent, "Browser/1.0");
  EXPECT_EQ(list->sessions[0].ip, kIp);
  EXPECT_TRUE(list->sessions[0].id.starts_with("ses_"));

  EXPECT_EQ(credentials_.EndSession(bob, list->sessions[0].id).code(), StatusCode::kNotFound);
  ASSERT_TRUE(credentials_.EndSession(ada, list->sessions[0].id).ok());
  EXPECT_EQ(LastAction(ada), "session.revoked");
  EXPECT_EQ(SignedIn(second) + SignedIn(third), 1);
  ASSERT_TRUE(credentials_.EndOtherSessions(ada, first.token.reveal()).ok());
  EXPECT_EQ(LastAction(ada), "session.revoked_others");
  EXPECT_TRUE(SignedIn(first));
  EXPECT_FALSE(SignedIn(second) || SignedIn(third));
}

TEST_F(CredentialServiceTest, ThePurgeDeletesIdleSessionsOnly) {
  auto old = SignUp("ada@example.com");
  clock_.Advance(AccountService::kSessionIdleTimeout - hours(1));
  auto fresh = SignIn("ada@example.com", "password123");
  SessionPurge purge(deps_);
  EXPECT_EQ(*purge.RunOnce(), 0);
  clock_.Advance(hours(2));
  EXPECT_EQ(*purge.RunOnce(), 1);
  EXPECT_EQ(store_->ListSessions(old.account.id)->size(), 1u);
  EXPECT_TRUE(SignedIn(fresh));
}

TEST_F(CredentialServiceTest, DeleteAccountNeedsThePasswordAndFreesTheAddress) {
  auto grant = SignUp("ada@example.com");
  const Caller ada{grant.account.id, kIp};
  auto key = keys_.Create(
      ada, {.name = "ci", .description = "", .expires_at = std::nullopt, .org_id = std::nullopt});
  ASSERT_TRUE(key.ok());
  TakeMails();
  EXPECT_EQ(credentials_.DeleteAccount(ada, Secret("wrong-password")).code(),
            StatusCode::kInvalidCredentials);
  ASSERT_TRUE(credentials_.DeleteAccount(ada, Secret("password123")).ok());
  EXPECT_FALSE(SignedIn(grant));
  EXPECT_TRUE(store_->FindKey(key->key.id)->revoked_at.has_value());
  const auto mails = TakeMails();
  ASSERT_EQ(mails.size(), 1u);
  EXPECT_EQ(mails[0].to, "ada@example.com");
  EXPECT_TRUE(accounts_.Signup("ada@example.com", Secret("password123"), "Ada 2", kIp).ok());
}

// Placeholder addresses carry the account's id, which is mixed-case base62 and so is usually
// not found by a lower-cased lookup; an id that happens to be all lower-case must not make the
// address someone's inbox.
TEST_F(CredentialServiceTest, NoResetLinkIsMadeForAnAddressNobodyCanType) {
  for (const std::string& placeholder :
       {ServiceAccountEmail("acc_lowercase1"), DeletedEmail("acc_lowercase2")}) {
    const std::string id = placeholder.substr(0, placeholder.find('@'));
    ASSERT_TRUE(store_
                    ->CreateAccount({.id = id,
                                     .email = placeholder,
                                     .name = "",
                                     .password_hash = "",
                                     .created_at = clock_.Now()},
                                    {"ev_" + id, clock_.Now(), "account.signup", id, {}, id, kIp})
                    .ok());
    ASSERT_TRUE(store_->FindAccountByEmail(placeholder).ok());
    TakeMails();
    EXPECT_TRUE(credentials_.ForgotPassword(placeholder, kIp).ok());  // the unknown's answer
    EXPECT_TRUE(TakeMails().empty()) << placeholder;
  }
}

TEST(SanitizeUserAgent, KeepsPrintableAsciiAndBoundsTheLength) {
  EXPECT_EQ(SanitizeUserAgent("Mozilla/5.0 (X11)"), "Mozilla/5.0 (X11)");
  EXPECT_EQ(SanitizeUserAgent("a\nb\xe2\x80\xae"), "a?b???");
  EXPECT_EQ(SanitizeUserAgent(std::string(1000, 'x')).size(), kMaxUserAgent);
}

}  // namespace
}  // namespace tfzo
