#include "auth/key_verifier.h"

#include <gtest/gtest.h>

#include "core/api_key.h"
#include "core/digest.h"
#include "core/random.h"

namespace tfzo {
namespace {

class KeyVerifierTest : public ::testing::Test {
 protected:
  KeyVerifierTest()
      : store_(std::move(OpenStore("sqlite::memory:")).value()),
        clock_(FromUnix(1'800'000'000)),
        usage_(*store_, std::chrono::hours(1)),
        verifier_(*store_, clock_, &usage_) {
    const Time now = clock_.Now();
    EventRecord event{"evt_1", now, "account.signup", "acc_1", std::nullopt, "acc_1", "ip"};
    EXPECT_TRUE(store_->CreateAccount({"acc_1", "a@example.com", "", "hash", now}, event).ok());
  }

  std::string AddKey(std::string id, std::optional<Time> expires_at) {
    std::string secret = GenerateKey(random_);
    KeyRecord key;
    key.id = id;
    key.account_id = "acc_1";
    key.name = "k";
    key.hint = KeyHint(secret);
    key.created_at = clock_.Now();
    key.expires_at = expires_at;
    SecretRecord record{Sha256(secret), id, key.hint, clock_.Now(), std::nullopt};
    EventRecord event{"evt_" + id, clock_.Now(), "key.created", "acc_1", std::nullopt, id, "ip"};
    EXPECT_TRUE(store_->CreateKey(key, record, event).ok());
    return secret;
  }

  std::unique_ptr<Store> store_;
  FakeClock clock_;
  SodiumRandom random_;
  UsageRecorder usage_;
  KeyVerifier verifier_;
};

TEST_F(KeyVerifierTest, FollowsTheValidationOrderOfTheSpec) {
  EXPECT_EQ(verifier_.Verify("tfzo_short").status().code(), StatusCode::kKeyMalformed);
  EXPECT_EQ(verifier_.Verify(GenerateKey(random_)).status().code(), StatusCode::kKeyInvalid);
  const std::string secret = AddKey("key_1", clock_.Now() + std::chrono::seconds(60));
  auto state = verifier_.Verify(secret);
  ASSERT_TRUE(state.ok());
  EXPECT_EQ(state->key_id, "key_1");
  clock_.Advance(std::chrono::seconds(60));
  auto expired = verifier_.Verify(secret);
  EXPECT_EQ(expired.status().code(), StatusCode::kKeyExpired);
  EXPECT_NE(expired.status().message().find("2027-01-15T08:01:00Z"), std::string::npos);
}

TEST_F(KeyVerifierTest, ErrorsNeverContainTheKey) {
  const std::string secret = AddKey("key_2", std::nullopt);
  std::string typo = secret;
  typo[8] = typo[8] == 'a' ? 'b' : 'a';
  auto malformed = verifier_.Verify(typo);
  EXPECT_EQ(malformed.status().message().find(typo.substr(5)), std::string::npos);
}

TEST_F(KeyVerifierTest, RecordsUsesInBatches) {
  const std::string secret = AddKey("key_3", std::nullopt);
  ASSERT_TRUE(verifier_.Verify(secret).ok());
  EXPECT_FALSE(store_->FindKey("key_3")->last_used_at.has_value());  // not yet written
  ASSERT_TRUE(usage_.Flush().ok());
  EXPECT_EQ(store_->FindKey("key_3")->last_used_at, clock_.Now());
}

}  // namespace
}  // namespace tfzo
