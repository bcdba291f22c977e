// Two-factor sign-in at the service layer (issue 13): setup, enabling, the sign-in's second step
// (replay, drift, recovery codes, throttling), disabling, and organizations that require it,
// over a real SQLite store in memory and the verifier's caches as the server wires them.

#include "service/two_factor_service.h"

#include <gtest/gtest.h>

#include "core/base32.h"
#include "core/totp.h"
#include "testing/service_world.h"

namespace tfzo {
namespace {

class TwoFactorTest : public testing::ServiceWorld {
 protected:
  TwoFactorTest()
      : failures_(clock_, TwoFactorService::kFailureLimit, TwoFactorService::kFailureWindow),
        addresses_(clock_, TwoFactorService::kAddressFailureLimit,
                   TwoFactorService::kFailureWindow),
        two_factor_(deps_, hasher_, {.account = &failures_, .address = &addresses_}),
        accounts_2fa_(deps_, hasher_, email_, {}, &two_factor_) {}

  // The code of the secret for the step `drift` steps from now.
  std::string Code(const std::string& secret, int64_t drift = 0) {
    const auto raw = Base32Decode(secret);
    EXPECT_TRUE(raw.has_value());
    return HotpCode(*raw, static_cast<uint64_t>(TotpStep(clock_.Now()) + drift));
  }

  // Turns two-factor on for `who`: its secret and recovery codes.
  std::pair<std::string, std::vector<Secret>> TurnOn(const Caller& who) {
    auto setup = two_factor_.StartSetup(who);
    EXPECT_TRUE(setup.ok()) << setup.status().message();
    const std::string secret = setup->secret.reveal();
    auto codes = two_factor_.Enable(who, Code(secret));
    EXPECT_TRUE(codes.ok()) << codes.status().message();
    return {secret, codes.ok() ? *codes : std::vector<Secret>{}};
  }

  // A new challenge for `email` (its password right).
  std::string Challenge(const std::string& email) {
    auto grant = accounts_2fa_.Login(email, Secret("password123"), kIp);
    EXPECT_TRUE(grant.ok() && grant->two_factor_challenge && grant->token.empty());
    return grant->two_factor_challenge ? grant->two_factor_challenge->reveal() : "";
  }

  void NextStep() { clock_.Advance(std::chrono::seconds(kTotpStepSeconds)); }

  FailureLimiter failures_;
  FailureLimiter addresses_;
  TwoFactorService two_factor_;
  AccountService accounts_2fa_;
};

TEST_F(TwoFactorTest, SetupGivesTheSecretItsUriAndAQrCode) {
  Caller ada = NewAccount("ada@example.com");
  auto setup = two_factor_.StartSetup(ada);
  ASSERT_TRUE(setup.ok());
  EXPECT_EQ(setup->secret.reveal().size(), 32u);  // 20 bytes
  EXPECT_EQ(setup->otpauth_uri,
            "otpauth://totp/2501%20Accounts:ada%40example.com?secret=" + setup->secret.reveal() +
                "&issuer=2501%20Accounts&algorithm=SHA1&digits=6&period=30");
  EXPECT_EQ(setup->qr_svg.rfind("<svg xmlns=\"http://www.w3.org/2000/svg\"", 0), 0u);
  EXPECT_EQ(setup->qr_svg.find("style"), std::string::npos);
  EXPECT_EQ(setup->qr_svg.find("script"), std::string::npos);
  // Still off until a code proves the app has it.
  EXPECT_FALSE(store_->FindAccount(ada.account_id)->two_factor);
  EXPECT_EQ(two_factor_.Enable(ada, "000000").status().code(), StatusCode::kInvalidCredentials);
}

TEST_F(TwoFactorTest, SignInNeedsACodeAcceptedOnce) {
  Caller ada = NewAccount("ada@example.com");
  auto [secret, recovery] = TurnOn(ada);
  ASSERT_EQ(recovery.size(), 10u);
  EXPECT_TRUE(store_->FindAccount(ada.account_id)->two_factor);
  EXPECT_EQ(two_factor_.StartSetup(ada).status().code(), StatusCode::kConflict);

  // The step enable used is used: its code does not sign in.
  std::string challenge = Challenge("ada@example.com");
  EXPECT_EQ(accounts_2fa_.LoginTwoFactor(challenge, Code(secret), kIp).status().code(),
            StatusCode::kInvalidCredentials);
  NextStep();
  const std::string code = Code(secret);
  auto grant = accounts_2fa_.LoginTwoFactor(challenge, code, kIp);
  ASSERT_TRUE(grant.ok()) << grant.status().message();
  EXPECT_FALSE(grant->token.empty());
  EXPECT_TRUE(accounts_2fa_.Authenticate(grant->token.reveal()).ok());
  // The challenge is used up; the code, replayed with a new one, is refused.
  EXPECT_EQ(accounts_2fa_.LoginTwoFactor(challenge, code, kIp).status().code(),
            StatusCode::kInvalidToken);
  EXPECT_EQ(accounts_2fa_.LoginTwoFactor(Challenge("ada@example.com"), code, kIp).status().code(),
            StatusCode::kInvalidCredentials);
}

TEST_F(TwoFactorTest, OneStepOfDriftIsAcceptedTwoAreNot) {
  Caller ada = NewAccount("ada@example.com");
  auto [secret, recovery] = TurnOn(ada);
  clock_.Advance(std::chrono::minutes(10));
  for (int64_t drift : {-2, 2}) {
    EXPECT_EQ(accounts_2fa_.LoginTwoFactor(Challenge("ada@example.com"), Code(secret, drift), kIp)
                  .status()
                  .code(),
              StatusCode::kInvalidCredentials)
        << drift;
  }
  EXPECT_TRUE(
      accounts_2fa_.LoginTwoFactor(Challenge("ada@example.com"), Code(secret, -1), kIp).ok());
  EXPECT_TRUE(
      accounts_2fa_.LoginTwoFactor(Challenge("ada@example.com"), Code(secret, 1), kIp).ok());
  // Step +1 is used: now and -1 are older, so refused too until the clock passes it.
  EXPECT_EQ(
      accounts_2fa_.LoginTwoFactor(Challenge("ada@example.com"), Code(secret), kIp).status().code(),
      StatusCode::kInvalidCredentials);
}

TEST_F(TwoFactorTest, RecoveryCodesWorkOnceAndChallengesExpire) {
  Caller ada = NewAccount("ada@example.com");
  auto [secret, recovery] = TurnOn(ada);
  const std::string code = recovery[3].reveal();
  ASSERT_EQ(code.size(), 11u);  // xxxxx-xxxxx
  auto grant = accounts_2fa_.LoginTwoFactor(Challenge("ada@example.com"), code, kIp);
  ASSERT_TRUE(grant.ok()) << grant.status().message();
  EXPECT_EQ(accounts_2fa_.LoginTwoFactor(Challenge("ada@example.com"), code, kIp).status().code(),
            StatusCode::kInvalidCredentials);
  // Typed without the dash, in capitals: another code still works once.
  std::string typed = recovery[4].reveal();
  typed.erase(5, 1);
  for (char& c : typed) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  EXPECT_TRUE(accounts_2fa_.LoginTwoFactor(Challenge("ada@example.com"), typed, kIp).ok());

  const std::string challenge = Challenge("ada@example.com");
  clock_.Advance(TwoFactorService::kChallengeLifetime);
  EXPECT_EQ(accounts_2fa_.LoginTwoFactor(challenge, Code(secret), kIp).status().code(),
            StatusCode::kInvalidToken);
}

TEST_F(TwoFactorTest, WrongCodesAreThrottledPerAccountAndAudited) {
  Caller ada = NewAccount("ada@example.com");
  auto [secret, recovery] = TurnOn(ada);
  NextStep();
  const std::string challenge = Challenge("ada@example.com");
  for (int i = 0; i < TwoFactorService::kFailureLimit; ++i) {
    EXPECT_EQ(accounts_2fa_.LoginTwoFactor(challenge, "000000", kIp).status().code(),
              StatusCode::kInvalidCredentials);
  }
  // Blocked: even the right code waits, on this challenge or a new one.
  const Status blocked = accounts_2fa_.LoginTwoFactor(challenge, Code(secret), kIp).status();
  EXPECT_EQ(blocked.code(), StatusCode::kRateLimited);
  EXPECT_GT(blocked.retry_after(), 0);
  EXPECT_EQ(
      accounts_2fa_.LoginTwoFactor(Challenge("ada@example.com"), Code(secret), kIp).status().code(),
      StatusCode::kRateLimited);
  auto events = accounts_.ListEvents(ada, 100, std::nullopt);
  ASSERT_TRUE(events.ok());
  int failed = 0;
  for (const EventRecord& e : *events) failed += e.action == "login.2fa_failed";
  EXPECT_EQ(failed, TwoFactorService::kFailureLimit);
  clock_.Advance(TwoFactorService::kFailureWindow);
  EXPECT_TRUE(accounts_2fa_.LoginTwoFactor(Challenge("ada@example.com"), Code(secret), kIp).ok());
}

TEST_F(TwoFactorTest, DisableNeedsThePasswordAndACode) {
  Caller ada = NewAccount("ada@example.com");
  auto [secret, recovery] = TurnOn(ada);
  NextStep();
  EXPECT_EQ(two_factor_.Disable(ada, Secret("wrong-password"), Code(secret)).code(),
            StatusCode::kInvalidCredentials);
  EXPECT_EQ(two_factor_.Disable(ada, Secret("password123"), "000000").code(),
            StatusCode::kInvalidCredentials);
  ASSERT_TRUE(two_factor_.Disable(ada, Secret("password123"), Code(secret)).ok());
  EXPECT_FALSE(store_->FindAccount(ada.account_id)->two_factor);
  EXPECT_TRUE(store_->FindTotp(ada.account_id)->secret.empty());
  // Signing in takes the password alone again.
  auto grant = accounts_2fa_.Login("ada@example.com", Secret("password123"), kIp);
  ASSERT_TRUE(grant.ok());
  EXPECT_FALSE(grant->two_factor_challenge.has_value());
  EXPECT_FALSE(grant->token.empty());
}

TEST_F(TwoFactorTest, AnOrgThatRequiresItRefusesMembersWithoutIt) {
  Caller ada = NewVerifiedAccount("ada@example.com");
  Caller bob = NewVerifiedAccount("bob@example.com", "Bob");
  auto acme = orgs_.CreateOrg(ada, "Acme");
  ASSERT_TRUE(acme.ok());
  ASSERT_TRUE(Join(ada, acme->org_id, bob).ok());
  auto bobs = keys_.Create(bob, {"all", "", std::nullopt, std::nullopt});
  ASSERT_TRUE(bobs.ok());
  auto key = verifier_.Verify(bobs->secret.reveal());
  ASSERT_TRUE(key.ok());
  ASSERT_TRUE(verifier_.CheckOrgAccess(*key, acme->org_id).ok());  // cached from here on

  // Only an owner with two-factor on may require it.
  EXPECT_EQ(orgs_.UpdateOrg(ada, acme->org_id, {}, {}, true).status().code(),
            StatusCode::kConflict);
  TurnOn(ada);
  auto updated = orgs_.UpdateOrg(ada, acme->org_id, {}, {}, true);
  ASSERT_TRUE(updated.ok()) << updated.status().message();
  EXPECT_TRUE(updated->org_requires_two_factor);

  EXPECT_EQ(verifier_.CheckOrgAccess(*key, acme->org_id).code(), StatusCode::kTwoFactorRequired);
  EXPECT_EQ(orgs_.ListMembers(bob, acme->org_id).status().code(), StatusCode::kTwoFactorRequired);
  EXPECT_TRUE(orgs_.ListMembers(ada, acme->org_id).ok());
  auto members = orgs_.ListMembers(ada, acme->org_id);
  for (const MembershipRecord& m : *members)
    EXPECT_EQ(m.two_factor, m.account_id == ada.account_id);

  TurnOn(bob);  // drops bob's cached memberships: the same key works again at once
  EXPECT_TRUE(verifier_.CheckOrgAccess(*key, acme->org_id).ok());
  EXPECT_TRUE(orgs_.ListMembers(bob, acme->org_id).ok());

  NextStep();
  auto secret = store_->FindTotp(bob.account_id)->secret;
  ASSERT_TRUE(two_factor_.Disable(bob, Secret("password123"), Code(secret)).ok());
  EXPECT_EQ(verifier_.CheckOrgAccess(*key, acme->org_id).code(), StatusCode::kTwoFactorRequired);
  // Leaving stays open; the rule turned off opens the rest again.
  ASSERT_TRUE(orgs_.UpdateOrg(ada, acme->org_id, {}, {}, false).ok());
  EXPECT_TRUE(verifier_.CheckOrgAccess(*key, acme->org_id).ok());
}

}  // namespace
}  // namespace tfzo
