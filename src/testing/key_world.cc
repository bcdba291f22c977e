#include "testing/key_world.h"

#include "core/api_key.h"
#include "core/digest.h"

namespace tfzo::testing {

VerifierWorld::VerifierWorld()
    : store_(OpenMemoryStore(&feed_)),
      clock_(FromUnix(1'800'000'000)),
      usage_(*store_, std::chrono::hours(1)),
      verifier_(*store_, clock_, &usage_) {
  store_->SetChangeListener([this](const Change& c) { verifier_.OnChange(c); });
}

KeyWorld::KeyWorld() {
  const Time now = clock_.Now();
  EventRecord event{"evt_1", now, "account.signup", "acc_1", std::nullopt, "acc_1", "ip"};
  EXPECT_TRUE(store_->CreateAccount({"acc_1", "a@example.com", "", "hash", now}, event).ok());
}

std::string KeyWorld::AddKey(const std::string& id, std::optional<Time> expires_at) {
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

}  // namespace tfzo::testing
