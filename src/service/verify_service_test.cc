#include "service/verify_service.h"

#include <gtest/gtest.h>

#include "core/api_key.h"
#include "testing/service_world.h"

namespace tfzo {
namespace {

class VerifyServiceTest : public testing::ServiceWorld {
 protected:
  VerifyServiceTest() : verify_(verifier_) {
    ada_ = NewAccount("ada@example.com");
    acme_ = orgs_.CreateOrg(ada_, "Acme")->org_id;
    globex_ = orgs_.CreateOrg(ada_, "Globex")->org_id;
    initech_ = orgs_.CreateOrg(NewAccount("bob@example.com", "Bob"), "Initech")->org_id;
  }

  std::string NewKey(std::optional<std::string> org_id) {
    auto issued = keys_.Create(ada_, {"k", "", std::nullopt, std::move(org_id)});
    EXPECT_TRUE(issued.ok());
    key_id_ = issued->key.id;
    return issued->secret.reveal();
  }

  Result<VerifyService::Verdict> Verify(const std::string& key,
                                        std::optional<std::string> org_id = std::nullopt) {
    return NoteKeyCheck(
        [&](Authenticator::Notes& notes) { return verify_.Verify(key, org_id, notes); });
  }

  VerifyService verify_;
  Caller ada_;
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

}  // namespace
}  // namespace tfzo
