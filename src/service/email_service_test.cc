// Verified addresses at the service layer (docs/spec/API.md "E-mail verification"): a real SQLite
// store in memory, a fake clock.

#include "service/email_service.h"

#include <gtest/gtest.h>

#include "core/digest.h"
#include "testing/service_world.h"

namespace tfzo {
namespace {

using std::chrono::hours;

class EmailServiceTest : public testing::ServiceWorld {
 protected:
  AccountRecord Find(const Caller& caller) { return *store_->FindAccount(caller.account_id); }

  // The mails queued since the last call, oldest first (claimed and marked sent).
  std::vector<MailMessage> TakeMails() {
    std::vector<MailMessage> out;
    const Time now = clock_.Now();
    for (;;) {
      auto mail = store_->ClaimMail(now, now + hours(1));
      EXPECT_TRUE(mail.ok()) << mail.status().message();
      if (!mail.ok() || !mail->has_value()) return out;
      EXPECT_TRUE(store_->MarkMailSent((*mail)->id, now).ok());
      out.push_back((*mail)->message);
    }
  }

  // The token of the first link in `mail` that starts with kConsoleUrl + `page`.
  static std::string LinkToken(const MailMessage& mail, const std::string& page) {
    const std::string prefix = kConsoleUrl + page;
    const size_t at = mail.text.find(prefix);
    return at == std::string::npos ? "" : mail.text.substr(at + prefix.size(), 43);
  }
};

TEST_F(EmailServiceTest, SignUpQueuesTheVerificationMailWithItsEventAndTheLinkVerifies) {
  TakeMails();
  Caller ada = NewAccount("ada@example.com");
  const auto mails = TakeMails();
  ASSERT_EQ(mails.size(), 1u);
  EXPECT_EQ(mails[0].to, "ada@example.com");
  const std::string token = LinkToken(mails[0], "/#/verify?token=");
  ASSERT_EQ(token.size(), 43u) << mails[0].text;
  // Only the digest is stored.
  auto stored = store_->FindToken(Sha256(token));
  ASSERT_TRUE(stored.ok());
  EXPECT_EQ(stored->account_id, ada.account_id);
  ASSERT_TRUE(email_.Verify(token, kIp).ok());
  EXPECT_TRUE(Find(ada).email_verified_at.has_value());
  // A refused sign-up queues nothing.
  EXPECT_FALSE(accounts_.Signup("bad", Secret("password123"), "", kIp).ok());
  EXPECT_TRUE(TakeMails().empty());
}

TEST_F(EmailServiceTest, ResendAndAChangeOfAddressMailTheirLinks) {
  Caller ada = NewVerifiedAccount("ada@example.com");
  TakeMails();
  ASSERT_TRUE(email_.ChangeEmail(ada, "new@example.com", Secret("password123")).ok());
  ASSERT_TRUE(email_.Resend(ada).ok());
  const auto mails = TakeMails();
  ASSERT_EQ(mails.size(), 3u);
  EXPECT_EQ(mails[0].to, "new@example.com");
  EXPECT_EQ(mails[1].to, "ada@example.com") << "the old address is told";
  EXPECT_EQ(LinkToken(mails[1], "/#/verify?token="), "") << "and gets no link";
  EXPECT_EQ(mails[2].to, "new@example.com");
  // Either link works, once.
  ASSERT_TRUE(email_.Verify(LinkToken(mails[2], "/#/verify?token="), kIp).ok());
  EXPECT_EQ(Find(ada).email, "new@example.com");
  EXPECT_EQ(email_.Verify(LinkToken(mails[0], "/#/verify?token="), kIp).status().code(),
            StatusCode::kOk)
      << "the first link proves the same address";
}

TEST_F(EmailServiceTest, TheSignupLinkCarriesTheTokenWhoseDigestAloneIsStored) {
  AccountRecord account;
  account.id = "acc_x";
  account.email = "x@example.com";
  const EmailService::Link link = email_.SignupLink(account, kIp);
  const std::string prefix = kConsoleUrl + "/#/verify?token=";
  const size_t at = link.mail.text.find(prefix);
  ASSERT_NE(at, std::string::npos) << link.mail.text;
  const std::string token = link.mail.text.substr(at + prefix.size(), 43);
  EXPECT_EQ(link.token.digest, Sha256(token));
  EXPECT_EQ(link.token.purpose, "verify_email");
  EXPECT_EQ(link.token.expires_at, clock_.Now() + hours(24));
  EXPECT_EQ(link.mail.to, "x@example.com");
  EXPECT_NE(link.mail.html.find(prefix + token), std::string::npos);
  // The mail says when and from where.
  EXPECT_NE(link.mail.text.find("From address: 127.0.0.1"), std::string::npos);
}

TEST_F(EmailServiceTest, ATokenVerifiesOnceWithinADayAndEveryFailureLooksTheSame) {
  Caller ada = NewAccount("ada@example.com");
  EXPECT_FALSE(Find(ada).email_verified_at.has_value());
  const std::string token =
      StoreToken(TokenRecord::kVerifyEmail, ada.account_id, "ada@example.com");
  auto verified = email_.Verify(token, kIp);
  ASSERT_TRUE(verified.ok()) << verified.status().message();
  EXPECT_EQ(verified->email_verified_at, clock_.Now());
  EXPECT_EQ(Find(ada).email_verified_at, clock_.Now());

  const Status used = email_.Verify(token, kIp).status();
  const std::string expired_token =
      StoreToken(TokenRecord::kVerifyEmail, ada.account_id, "ada@example.com");
  clock_.Advance(hours(24));
  const Status expired = email_.Verify(expired_token, kIp).status();
  const Status unknown = email_.Verify(NewToken(random_, 32), kIp).status();
  const Status garbage = email_.Verify("not a token", kIp).status();
  for (const Status& s : {used, expired, unknown, garbage}) {
    EXPECT_EQ(s.code(), StatusCode::kInvalidToken);
    EXPECT_EQ(s.message(), used.message());
  }
  EXPECT_TRUE(used.message().starts_with("token:"));
}

TEST_F(EmailServiceTest, ResendIsThrottledPerAccountAndPerAddress) {
  FailureLimiter per_account(clock_, EmailService::kLinksPerAccount, EmailService::kLinkWindow);
  FailureLimiter per_address(clock_, EmailService::kLinksPerAddress, EmailService::kLinkWindow);
  EmailService limited(deps_, hasher_, {.account = &per_account, .address = &per_address});
  Caller ada = NewAccount("ada@example.com");
  for (int i = 0; i < EmailService::kLinksPerAccount; ++i) ASSERT_TRUE(limited.Resend(ada).ok());
  const Status refused = limited.Resend(ada);
  EXPECT_EQ(refused.code(), StatusCode::kRateLimited);
  EXPECT_GT(refused.retry_after(), 0);
  clock_.Advance(EmailService::kLinkWindow);
  EXPECT_TRUE(limited.Resend(ada).ok());

  Verify(ada);
  EXPECT_EQ(limited.Resend(ada).code(), StatusCode::kConflict) << "nothing left to verify";
}

TEST_F(EmailServiceTest, AChangeOfAddressNeedsThePasswordAndWaitsForItsLink) {
  FailureLimiter wrong_passwords(clock_, AccountService::kLoginFailureLimit,
                                 AccountService::kLoginFailureWindow);
  EmailService checked(deps_, hasher_, {.password_email = &wrong_passwords});
  Caller ada = NewVerifiedAccount("ada@example.com");
  EXPECT_EQ(checked.ChangeEmail(ada, "new@example.com", Secret("wrong-password")).status().code(),
            StatusCode::kInvalidCredentials);
  EXPECT_EQ(checked.ChangeEmail(ada, "not-an-address", Secret("password123")).status().code(),
            StatusCode::kInvalidRequest);
  EXPECT_EQ(checked.ChangeEmail(ada, "ADA@example.com", Secret("password123")).status().code(),
            StatusCode::kInvalidRequest);

  auto pending = checked.ChangeEmail(ada, "New@Example.com", Secret("password123"));
  ASSERT_TRUE(pending.ok()) << pending.status().message();
  EXPECT_EQ(pending->email, "ada@example.com");
  EXPECT_EQ(pending->pending_email, "new@example.com");
  EXPECT_TRUE(pending->email_verified_at.has_value()) << "the old address stays verified";
  // Signing in still takes the old address until the new one is proven.
  EXPECT_TRUE(accounts_.Login("ada@example.com", Secret("password123"), kIp).ok());

  ASSERT_TRUE(
      email_.Verify(StoreToken(TokenRecord::kVerifyEmail, ada.account_id, "new@example.com"), kIp)
          .ok());
  EXPECT_EQ(Find(ada).email, "new@example.com");
  EXPECT_FALSE(Find(ada).pending_email.has_value());
  EXPECT_TRUE(accounts_.Login("new@example.com", Secret("password123"), kIp).ok());

  // Wrong passwords count like failed sign-ins: past the limit, even the right one waits.
  for (int i = 0; i < AccountService::kLoginFailureLimit; ++i) {
    EXPECT_EQ(checked.ChangeEmail(ada, "x@example.com", Secret("nope-nope")).status().code(),
              StatusCode::kInvalidCredentials);
  }
  EXPECT_EQ(checked.ChangeEmail(ada, "x@example.com", Secret("nope-nope")).status().code(),
            StatusCode::kRateLimited);
}

TEST_F(EmailServiceTest, AnotherAccountsVerifiedAddressIsTaken) {
  NewVerifiedAccount("bob@example.com");
  Caller ada = NewAccount("ada@example.com");
  EXPECT_EQ(email_.ChangeEmail(ada, "bob@example.com", Secret("password123")).status().code(),
            StatusCode::kEmailTaken);
  EXPECT_EQ(accounts_.Signup("bob@example.com", Secret("password123"), "", kIp).status().code(),
            StatusCode::kEmailTaken);
}

// The impostor case: an account that took an address it does not receive mail at keeps it only
// until its owner proves it.
TEST_F(EmailServiceTest, TheOwnerOfAnAddressClaimsItFromAnAccountThatNeverVerifiedIt) {
  Caller impostor = NewAccount("new.hire@corp.example", "Mallory");
  auto refused = accounts_.Signup("new.hire@corp.example", Secret("password456"), "Hire", kIp);
  EXPECT_EQ(refused.status().code(), StatusCode::kEmailTaken);
  EXPECT_NE(refused.status().message().find("link"), std::string::npos)
      << refused.status().message();

  // The refusal mailed the address a claim link.
  std::string claim;
  for (const MailMessage& m : TakeMails()) {
    if (m.to == "new.hire@corp.example") claim = LinkToken(m, "/#/signup?claim=");
  }
  ASSERT_EQ(claim.size(), 43u);
  EXPECT_EQ(email_.Verify(claim, kIp).status().code(), StatusCode::kInvalidToken)
      << "a claim link verifies no account";
  EXPECT_EQ(
      accounts_.Signup("other@corp.example", Secret("password456"), "", kIp, claim).status().code(),
      StatusCode::kInvalidToken)
      << "the token proves one address only";
  auto claimed =
      accounts_.Signup("new.hire@corp.example", Secret("password456"), "Hire", kIp, claim);
  ASSERT_TRUE(claimed.ok()) << claimed.status().message();
  EXPECT_TRUE(claimed->account.email_verified_at.has_value());
  EXPECT_TRUE(IsReleasedEmail(Find(impostor).email));
  EXPECT_EQ(accounts_.Login("new.hire@corp.example", Secret("password123"), kIp).status().code(),
            StatusCode::kInvalidCredentials)
      << "the impostor's password no longer signs in with the address";
  EXPECT_TRUE(accounts_.Login("new.hire@corp.example", Secret("password456"), kIp).ok());
  EXPECT_EQ(email_.Resend(impostor).code(), StatusCode::kConflict);
}

}  // namespace
}  // namespace tfzo
