#include "service/verify_service.h"

#include <gtest/gtest.h>

#include "auth/password_hasher.h"
#include "core/api_key.h"
#include "core/random.h"
#include "service/account_service.h"
#include "service/key_service.h"
#include "service/org_service.h"
#include "testing/memory_store.h"

namespace tfzo {
namespace {

class VerifyServiceTest : public ::testing::Test {
 protected:
  VerifyServiceTest()
      : store_(testing::OpenMemoryStore()),
        clock_(FromUnix(1'800'000'000)),
        hasher_(PasswordHasher::kCheapParams),
        deps_{*store_, clock_, random_},
        accounts_(deps_, hasher_),
        orgs_(deps_),
        keys_(deps_, {}),
        verifier_(*store_, clock_, nullptr),
        verify_(verifier_) {
    store_->SetChangeListener([this](const Change& c) { verifier_.OnChange(c); });
    auto grant = accounts_.Signup("ada@example.com", Secret("password123"), "Ada", "ip");
    EXPECT_TRUE(grant.ok());
    ada_ = Caller{grant->account.id, "ip"};
    acme_ = orgs_.CreateOrg(ada_, "Acme")->org_id;
    globex_ = orgs_.CreateOrg(ada_, "Globex")->org_id;
    auto other = accounts_.Signup("bob@example.com", Secret("password123"), "Bob", "ip");
    EXPECT_TRUE(other.ok());
    initech_ = orgs_.CreateOrg(Caller{other->account.id, "ip"}, "Initech")->org_id;
  }

  std::string NewKey(std::optional<std::string> org_id) {
    auto issued = keys_.Create(ada_, {"k", "", std::nullopt, std::move(org_id)});
    EXPECT_TRUE(issued.ok());
    key_id_ = issued->key.id;
    return issued->secret.reveal();
  }

  Result<VerifyService::Verdict> Verify(const std::string& key,
                                        std::optional<std::string> org_id = std::nullopt) {
    Authenticator::Notes notes;
    auto verdict = verify_.Verify(key, org_id, notes);
    check_ = std::string(notes.key_check);
    return verdict;
  }

  std::unique_ptr<Store> store_;
  FakeClock clock_;
  SodiumRandom random_;
  PasswordHasher hasher_;
  ServiceDeps deps_;
  AccountService accounts_;
  OrgService orgs_;
  KeyService keys_;
  KeyVerifier verifier_;
  VerifyService verify_;
  Caller ada_;
  std::string acme_, globex_, initech_, key_id_, check_;
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
