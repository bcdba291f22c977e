#include "service/verify_service.h"

#include <gtest/gtest.h>

#include "auth/bearer_authenticator.h"
#include "core/api_key.h"
#include "testing/service_world.h"

namespace tfzo {
namespace {

constexpr int kLimit = 3;  // unknown keys per address in the tests' limiter

class VerifyServiceTest : public testing::ServiceWorld {
 protected:
  VerifyServiceTest()
      : unknown_keys_(clock_, kLimit, BearerAuthenticator::kUnknownKeyWindow),
        verify_(verifier_, &unknown_keys_) {
    ada_ = NewAccount("ada@example.com");
    acme_ = orgs_.CreateOrg(ada_, "Acme")->org_id;
    globex_ = orgs_.CreateOrg(ada_, "Globex")->org_id;
    bob_ = NewAccount("bob@example.com", "Bob");
    initech_ = orgs_.CreateOrg(bob_, "Initech")->org_id;
  }

  std::string NewKey(std::optional<std::string> org_id) {
    auto issued = keys_.Create(ada_, {"k", "", std::nullopt, std::move(org_id)});
    EXPECT_TRUE(issued.ok());
    key_id_ = issued->key.id;
    return issued->secret.reveal();
  }

  Result<VerifyService::Verdict> Verify(const std::string& key,
                                        std::optional<std::string> org_id = std::nullopt,
                                        std::string_view ip = kIp) {
    return NoteKeyCheck([&](Authenticator::Notes& notes) {
      return verify_.Verify(key, {.org_id = org_id}, ip, notes);
    });
  }

  FailureLimiter unknown_keys_;
  VerifyService verify_;
  Caller ada_, bob_;
  std::string acme_, globex_, initech_, key_id_;
};

TEST_F(VerifyServiceTest, AValidKeyIsAnsweredWithItsState) {
  const std::string key = NewKey(std::nullopt);
  auto verdict = Verify(key);
  ASSERT_TRUE(verdict.ok());
  ASSERT_TRUE(verdict->key.has_value());
  EXPECT_EQ(verdict->key->key_id, key_id_);
  EXPECT_EQ(verdict->reason, StatusCode::kOk);
  EXPECT_EQ(check_, "valid");
  EXPECT_TRUE(Verify(key, globex_)->key.has_value());
}

TEST_F(VerifyServiceTest, AnInvalidKeyIsAnAnswerWithItsCode) {
  auto malformed = Verify("tfzo_nope");
  ASSERT_TRUE(malformed.ok());
  EXPECT_FALSE(malformed->key.has_value());
  EXPECT_EQ(malformed->reason, StatusCode::kKeyMalformed);
  EXPECT_EQ(check_, "key_malformed");
  auto unknown = Verify(GenerateKey(random_), acme_);
  ASSERT_TRUE(unknown.ok());
  EXPECT_EQ(unknown->reason, StatusCode::kKeyInvalid) << "the key is judged before the scope";
  const std::string key = NewKey(std::nullopt);
  ASSERT_TRUE(keys_.Revoke(ada_, key_id_).ok());
  EXPECT_EQ(Verify(key)->reason, StatusCode::kKeyRevoked);
  EXPECT_EQ(check_, "key_revoked");
}

TEST_F(VerifyServiceTest, TheOrgIsCheckedAgainstMembershipAndScope) {
  const std::string scoped = NewKey(acme_);
  EXPECT_TRUE(Verify(scoped, acme_)->key.has_value());
  auto out = Verify(scoped, globex_);
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(out->reason, StatusCode::kOrgOutOfScope);
  EXPECT_EQ(check_, "valid") << "the key itself was valid";
  EXPECT_EQ(Verify(NewKey(std::nullopt), initech_)->reason, StatusCode::kForbidden);
  EXPECT_EQ(Verify(NewKey(std::nullopt), "org_missing")->reason, StatusCode::kForbidden);
}

TEST_F(VerifyServiceTest, AScopedKeyWhoseOwnerLeftItsOrgIsNotValidWithoutAnOrgEither) {
  ASSERT_TRUE(Join(bob_, initech_, ada_).ok());
  const std::string scoped = NewKey(initech_);
  ASSERT_TRUE(Verify(scoped)->key.has_value());
  EXPECT_EQ(Verify(scoped)->key->org_id, initech_);
  ASSERT_TRUE(orgs_.RemoveMember(bob_, initech_, ada_.account_id).ok());
  auto without_org = Verify(scoped);
  ASSERT_TRUE(without_org.ok());
  EXPECT_FALSE(without_org->key.has_value());
  EXPECT_EQ(without_org->reason, StatusCode::kForbidden);
  EXPECT_EQ(check_, "valid") << "the key itself was valid";
  EXPECT_EQ(Verify(scoped, initech_)->reason, StatusCode::kForbidden);
  // An unscoped key of the same account is not affected.
  EXPECT_TRUE(Verify(NewKey(std::nullopt))->key.has_value());
}

TEST_F(VerifyServiceTest, UnknownKeysCountAgainstTheAddressLikeOnTheBearerRoutes) {
  // The limit's number of unknown or malformed keys get their code; more are refused.
  for (int i = 1; i <= kLimit; ++i) {
    const std::string key = i % 2 ? GenerateKey(random_) : "tfzo_nope";
    EXPECT_EQ(Verify(key)->reason, i % 2 ? StatusCode::kKeyInvalid : StatusCode::kKeyMalformed);
  }
  auto refused = Verify(GenerateKey(random_));
  ASSERT_TRUE(refused.ok()) << "still a verdict, not an error";
  EXPECT_FALSE(refused->key.has_value());
  EXPECT_EQ(refused->reason, StatusCode::kRateLimited);
  EXPECT_EQ(refused->retry_after, 60);
  EXPECT_EQ(check_, "key_invalid") << "the metrics still see the key's own result";
  EXPECT_EQ(Verify("tfzo_nope")->reason, StatusCode::kRateLimited);

  // Another address is not affected; a valid key from the refused address still works.
  EXPECT_EQ(Verify(GenerateKey(random_), std::nullopt, "192.0.2.2")->reason,
            StatusCode::kKeyInvalid);
  EXPECT_TRUE(Verify(NewKey(std::nullopt))->key.has_value());

  // The block ends one window after the failures that caused it.
  clock_.Advance(BearerAuthenticator::kUnknownKeyWindow);
  EXPECT_EQ(Verify(GenerateKey(random_))->reason, StatusCode::kKeyInvalid);
}

TEST_F(VerifyServiceTest, TheSameLimiterCountsVerifyAndBearerFailures) {
  BearerAuthenticator bearer(verifier_, &unknown_keys_);
  Credentials credentials;
  credentials.remote_ip = kIp;
  Authenticator::Notes notes;
  for (int i = 1; i <= kLimit; ++i) {
    const std::string header = "Bearer " + GenerateKey(random_);
    credentials.authorization = header;
    EXPECT_EQ(bearer.Authenticate(credentials, notes).status().code(), StatusCode::kKeyInvalid);
  }
  EXPECT_EQ(Verify(GenerateKey(random_))->reason, StatusCode::kRateLimited);
}

// VerifyService with a renderer that counts its calls and writes what it was given.
class VerifyAnswerTest : public VerifyServiceTest {
 protected:
  VerifyAnswerTest()
      : answering_(verifier_, &unknown_keys_, clock_, [this](const VerifyService::Verdict& v) {
          ++renders_;
          if (!v.key) return "refused " + std::string(CodeName(v.reason));
          return "valid " + v.key->key_id + " expires " +
                 (v.key->expires_at ? std::to_string(ToUnix(*v.key->expires_at)) : "never");
        }) {}

  VerifyService::Answered Answer(const std::string& key,
                                 std::optional<std::string> org_id = std::nullopt) {
    Authenticator::Notes notes;
    auto answered = answering_.Answer(key, {.org_id = org_id}, kIp, notes);
    EXPECT_TRUE(answered.ok()) << answered.status().message();
    return answered.ok() ? *answered : VerifyService::Answered{};
  }

  int renders_ = 0;
  VerifyService answering_;
};

TEST_F(VerifyAnswerTest, AValidKeysAnswerIsRenderedOnceAndReused) {
  const int refusals = renders_;  // one per reason, by the constructor
  const std::string key = NewKey(acme_);
  const VerifyService::Answered first = Answer(key);
  ASSERT_TRUE(first.verdict.key.has_value());
  EXPECT_EQ(first.body, "valid " + key_id_ + " expires never");
  EXPECT_EQ(Answer(key).body, first.body);
  EXPECT_EQ(Answer(key, acme_).body, first.body) << "the org asked about is not in the body";
  EXPECT_EQ(renders_, refusals + 1);
  // Still judged at every check: the kept body is never an answer by itself.
  EXPECT_EQ(Answer(key, globex_).body, "refused org_out_of_scope");
  ASSERT_TRUE(keys_.Revoke(ada_, key_id_).ok());
  EXPECT_EQ(Answer(key).body, "refused key_revoked");
  EXPECT_EQ(renders_, refusals + 1) << "refusals are rendered once, by reason";
}

TEST_F(VerifyAnswerTest, ANewStateIsShownAtOnce) {
  NewKey(std::nullopt);
  const Time later = clock_.Now() + std::chrono::hours(24);
  auto rotated = keys_.Rotate(ada_, key_id_, std::optional<Time>(later));
  ASSERT_TRUE(rotated.ok());
  const std::string key = rotated->secret.reveal();
  Answer(key);
  const int before = renders_;
  // A second rotation keeps the key id and changes the expiry: the body follows.
  const Time much_later = later + std::chrono::hours(24);
  rotated = keys_.Rotate(ada_, key_id_, std::optional<Time>(much_later));
  ASSERT_TRUE(rotated.ok());
  EXPECT_EQ(Answer(rotated->secret.reveal()).body,
            "valid " + key_id_ + " expires " + std::to_string(ToUnix(much_later)));
  EXPECT_EQ(renders_, before + 1);
  EXPECT_EQ(Answer(key).body, "refused key_revoked") << "the old secret";
}

TEST_F(VerifyAnswerTest, RateLimitedIsARefusalWithItsWait) {
  for (int i = 0; i < kLimit; ++i) Answer(GenerateKey(random_));
  const VerifyService::Answered refused = Answer(GenerateKey(random_));
  EXPECT_EQ(refused.body, "refused rate_limited");
  EXPECT_EQ(refused.verdict.retry_after, 60);
}

}  // namespace
}  // namespace tfzo
