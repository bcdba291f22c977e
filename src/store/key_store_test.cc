#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

#include "core/digest.h"
#include "store/store_test.h"
#include "store/store_test_util.h"

// The keys' part of the Store contract (see store_test.cc), run against SqlStore on every
// engine.

namespace tfzo {
namespace {

using namespace ::tfzo::testing;  // NOLINT: test records

class KeysTest : public StoreTest {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    if (HasFatalFailure()) return;
    ASSERT_TRUE(store_
                    ->CreateOrg({.id = "org_1", .name = "One", .created_at = kT0}, "acc_a",
                                Event("ev_o1", "org.created", "acc_a", "org_1"))
                    .ok());
  }
};

TEST_P(KeysTest, CreateFindAndList) {
  KeyRecord scoped = Key("key_1", "acc_a", kT0, "org_1");
  scoped.expires_at = At(3600);
  ASSERT_TRUE(store_
                  ->CreateKey(scoped, Secret("tfzo_secret1AAAA", "key_1"),
                              Event("ev_k1", "key.created", "acc_a"))
                  .ok());
  auto k = store_->FindKey("key_1");
  ASSERT_TRUE(k.ok());
  EXPECT_EQ(k->account_id, "acc_a");
  EXPECT_EQ(k->name, "ci");
  EXPECT_EQ(k->description, "for CI");
  EXPECT_EQ(k->hint, "tfzo_...abcd");
  EXPECT_EQ(k->org_id, "org_1");
  EXPECT_EQ(k->org_name, "One");
  EXPECT_EQ(k->email, "a@example.com");
  EXPECT_EQ(k->created_at, kT0);
  EXPECT_EQ(k->expires_at, At(3600));
  EXPECT_FALSE(k->last_used_at.has_value());
  EXPECT_FALSE(k->rotated_at.has_value());
  EXPECT_FALSE(k->revoked_at.has_value());
  EXPECT_EQ(store_->FindKey("key_zzz").status().code(), StatusCode::kNotFound);

  auto state = store_->FindKeyBySecret(Sha256("tfzo_secret1AAAA"));
  ASSERT_TRUE(state.ok());
  EXPECT_EQ(state->digest, Sha256("tfzo_secret1AAAA"));
  EXPECT_EQ(state->key_id, "key_1");
  EXPECT_EQ(state->account_id, "acc_a");
  EXPECT_EQ(state->org_id, "org_1");
  EXPECT_EQ(state->expires_at, At(3600));
  EXPECT_FALSE(state->key_revoked_at.has_value());
  EXPECT_FALSE(state->secret_revoked_at.has_value());
  EXPECT_EQ(store_->FindKeyBySecret(Sha256("unknown")).status().code(), StatusCode::kNotFound);

  // Same second as key_1, then one older, then an unscoped one and another account's key.
  ASSERT_TRUE(store_
                  ->CreateKey(Key("key_2", "acc_a", kT0, "org_1"),
                              Secret("tfzo_secret2BBBB", "key_2"),
                              Event("ev_k2", "key.created", "acc_a"))
                  .ok());
  ASSERT_TRUE(store_
                  ->CreateKey(Key("key_old", "acc_a", At(-10)),
                              Secret("tfzo_secret3CCCC", "key_old"),
                              Event("ev_k3", "key.created", "acc_a"))
                  .ok());
  ASSERT_TRUE(store_
                  ->CreateKey(Key("key_3", "acc_a", kT0), Secret("tfzo_secret4DDDD", "key_3"),
                              Event("ev_k4", "key.created", "acc_a"))
                  .ok());
  ASSERT_TRUE(store_
                  ->CreateKey(Key("key_b", "acc_b", At(5)), Secret("tfzo_secret5EEEE", "key_b"),
                              Event("ev_k5", "key.created", "acc_b"))
                  .ok());

  auto keys = store_->ListKeys("acc_a");
  ASSERT_TRUE(keys.ok());
  std::vector<std::string> ids;
  for (const auto& key : *keys) ids.push_back(key.id);
  EXPECT_EQ(ids, (std::vector<std::string>{"key_3", "key_2", "key_1", "key_old"}));
  EXPECT_EQ((*keys)[0].org_name, "");
  EXPECT_FALSE((*keys)[0].org_id.has_value());
  EXPECT_EQ((*keys)[1].org_name, "One");

  auto org_keys = store_->ListOrgKeys("org_1");
  ASSERT_TRUE(org_keys.ok());
  ids.clear();
  for (const auto& key : *org_keys) {
    ids.push_back(key.id);
    EXPECT_EQ(key.email, "a@example.com");
    EXPECT_EQ(key.org_name, "One");
  }
  EXPECT_EQ(ids, (std::vector<std::string>{"key_2", "key_1"}));
  EXPECT_TRUE(store_->ListKeys("acc_zzz")->empty());
}

TEST_P(KeysTest, CreateKeyRollsBackOnDuplicateDigest) {
  ASSERT_TRUE(store_
                  ->CreateKey(Key("key_1", "acc_a"), Secret("tfzo_sameSAME", "key_1"),
                              Event("ev_k1", "key.created", "acc_a"))
                  .ok());
  Status s = store_->CreateKey(Key("key_2", "acc_a"), Secret("tfzo_sameSAME", "key_2"),
                               Event("ev_k2", "key.created", "acc_a"));
  EXPECT_EQ(s.code(), StatusCode::kConflict);
  EXPECT_EQ(store_->FindKey("key_2").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(store_->ListKeys("acc_a")->size(), 1u);
  EXPECT_EQ(EventsOf("acc_a"), (std::vector<std::string>{"ev_a", "ev_o1", "ev_k1"}));
  // The store still works after the rollback.
  EXPECT_TRUE(store_
                  ->CreateKey(Key("key_2", "acc_a"), Secret("tfzo_otherOTHR", "key_2"),
                              Event("ev_k2", "key.created", "acc_a"))
                  .ok());
}

TEST_P(KeysTest, CreateKeyWithUnknownOrgOrAccountIsNotFound) {
  EXPECT_EQ(store_
                ->CreateKey(Key("key_1", "acc_a", kT0, "org_zzz"), Secret("tfzo_x1234", "key_1"),
                            Event("ev_k1", "key.created", "acc_a"))
                .code(),
            StatusCode::kNotFound);
  EXPECT_EQ(store_
                ->CreateKey(Key("key_1", "acc_zzz"), Secret("tfzo_x1234", "key_1"),
                            Event("ev_k1", "key.created", "acc_zzz"))
                .code(),
            StatusCode::kNotFound);
  EXPECT_EQ(store_->FindKeyBySecret(Sha256("tfzo_x1234")).status().code(), StatusCode::kNotFound);
}

TEST_P(KeysTest, UpdateKey) {
  ASSERT_TRUE(store_
                  ->CreateKey(Key("key_1", "acc_a"), Secret("tfzo_s1AAAA", "key_1"),
                              Event("ev_k1", "key.created", "acc_a"))
                  .ok());
  KeyRecord changed = *store_->FindKey("key_1");
  EXPECT_EQ(changed.permissions, Permissions::All());
  EXPECT_TRUE(changed.allowed_ips.empty());
  changed.name = "deploy";
  changed.description = "";
  changed.expires_at = At(900);
  changed.permissions = Permissions::ReadOnly();
  changed.allowed_ips = {"10.0.0.0/8", "2001:db8::/32"};
  ASSERT_TRUE(store_->UpdateKey(changed, Event("ev_u1", "key.updated", "acc_a")).ok());
  auto k = store_->FindKey("key_1");
  EXPECT_EQ(k->name, "deploy");
  EXPECT_EQ(k->description, "");
  EXPECT_EQ(k->expires_at, At(900));
  EXPECT_EQ(k->permissions, Permissions::ReadOnly());
  EXPECT_EQ(k->allowed_ips, changed.allowed_ips);
  auto state = store_->FindKeyBySecret(Sha256("tfzo_s1AAAA"));
  ASSERT_TRUE(state.ok());
  EXPECT_EQ(state->permissions, Permissions::ReadOnly());
  EXPECT_TRUE(state->ip_restricted);
  EXPECT_EQ(state->expires_at, At(900));
  changed.id = "key_zzz";
  EXPECT_EQ(store_->UpdateKey(changed, Event("ev_u2", "key.updated", "acc_a")).code(),
            StatusCode::kNotFound);
  EXPECT_EQ(EventsOf("acc_a"), (std::vector<std::string>{"ev_a", "ev_o1", "ev_k1", "ev_u1"}));
}

TEST_P(KeysTest, RotateKey) {
  KeyRecord key = Key("key_1", "acc_a");
  key.hint = "tfzo_...OLD1";
  key.expires_at = At(100);
  ASSERT_TRUE(store_
                  ->CreateKey(key, Secret("tfzo_firstOLD1", "key_1"),
                              Event("ev_k1", "key.created", "acc_a"))
                  .ok());

  // Keep the expiration.
  ASSERT_TRUE(store_
                  ->RotateKey("key_1", Secret("tfzo_secondNEW2", "key_1", At(10)), std::nullopt,
                              std::chrono::seconds(0), Event("ev_rot1", "key.rotated", "acc_a"))
                  .ok());
  auto old_state = store_->FindKeyBySecret(Sha256("tfzo_firstOLD1"));
  ASSERT_TRUE(old_state.ok());
  EXPECT_EQ(old_state->secret_revoked_at, At(10));
  EXPECT_FALSE(old_state->key_revoked_at.has_value());
  auto new_state = store_->FindKeyBySecret(Sha256("tfzo_secondNEW2"));
  ASSERT_TRUE(new_state.ok());
  EXPECT_EQ(new_state->key_id, "key_1");
  EXPECT_FALSE(new_state->secret_revoked_at.has_value());
  auto k = store_->FindKey("key_1");
  EXPECT_EQ(k->hint, "tfzo_...NEW2");
  EXPECT_EQ(k->rotated_at, At(10));
  EXPECT_EQ(k->expires_at, At(100));
  EXPECT_EQ(k->created_at, kT0);

  // Replace the expiration, then clear it ("never").
  ASSERT_TRUE(store_
                  ->RotateKey("key_1", Secret("tfzo_thirdNEW3", "key_1", At(20)),
                              std::optional<Time>(At(500)), std::chrono::seconds(0),
                              Event("ev_rot2", "key.rotated", "acc_a"))
                  .ok());
  EXPECT_EQ(store_->FindKey("key_1")->expires_at, At(500));
  EXPECT_EQ(store_->FindKeyBySecret(Sha256("tfzo_secondNEW2"))->secret_revoked_at, At(20));
  EXPECT_EQ(store_->FindKeyBySecret(Sha256("tfzo_firstOLD1"))->secret_revoked_at, At(10));
  ASSERT_TRUE(store_
                  ->RotateKey("key_1", Secret("tfzo_fourthNEW4", "key_1", At(30)),
                              std::optional<Time>(), std::chrono::seconds(0),
                              Event("ev_rot3", "key.rotated", "acc_a"))
                  .ok());
  EXPECT_FALSE(store_->FindKey("key_1")->expires_at.has_value());
  EXPECT_FALSE(store_->FindKeyBySecret(Sha256("tfzo_fourthNEW4"))->expires_at.has_value());

  // A duplicate digest rolls the whole rotation back.
  EXPECT_EQ(store_
                ->RotateKey("key_1", Secret("tfzo_firstOLD1", "key_1", At(40)), std::nullopt,
                            std::chrono::seconds(0), Event("ev_rot4", "key.rotated", "acc_a"))
                .code(),
            StatusCode::kConflict);
  EXPECT_FALSE(store_->FindKeyBySecret(Sha256("tfzo_fourthNEW4"))->secret_revoked_at.has_value());
  EXPECT_EQ(store_->FindKey("key_1")->hint, "tfzo_...NEW4");

  EXPECT_EQ(store_
                ->RotateKey("key_zzz", Secret("tfzo_fifthNEW5", "key_zzz", At(40)), std::nullopt,
                            std::chrono::seconds(0), Event("ev_rot5", "key.rotated", "acc_a"))
                .code(),
            StatusCode::kNotFound);

  // Revoked: conflict, and nothing changes.
  ASSERT_TRUE(store_->RevokeKey("key_1", At(50), Event("ev_rev", "key.revoked", "acc_a")).ok());
  EXPECT_EQ(store_
                ->RotateKey("key_1", Secret("tfzo_sixthNEW6", "key_1", At(60)), std::nullopt,
                            std::chrono::seconds(0), Event("ev_rot6", "key.rotated", "acc_a"))
                .code(),
            StatusCode::kConflict);
  EXPECT_EQ(store_->FindKeyBySecret(Sha256("tfzo_sixthNEW6")).status().code(),
            StatusCode::kNotFound);
  EXPECT_EQ(EventsOf("acc_a"), (std::vector<std::string>{"ev_a", "ev_o1", "ev_k1", "ev_rot1",
                                                         "ev_rot2", "ev_rot3", "ev_rev"}));
}

TEST_P(KeysTest, RotationWithOverlapKeepsThePreviousValueUntilItEnds) {
  ASSERT_TRUE(store_
                  ->CreateKey(Key("key_1", "acc_a"), Secret("tfzo_s1AAAA", "key_1"),
                              Event("ev_k1", "key.created", "acc_a"))
                  .ok());
  ASSERT_TRUE(store_
                  ->RotateKey("key_1", Secret("tfzo_s2BBBB", "key_1", At(10)), std::nullopt,
                              std::chrono::seconds(3600), Event("ev_rot1", "key.rotated", "acc_a"))
                  .ok());
  EXPECT_EQ(store_->FindKeyBySecret(Sha256("tfzo_s1AAAA"))->secret_revoked_at, At(3610));
  EXPECT_EQ(store_->FindKey("key_1")->previous_valid_until, At(3610));

  // A second rotation during the overlap: the first value ends now, the second overlaps.
  ASSERT_TRUE(store_
                  ->RotateKey("key_1", Secret("tfzo_s3CCCC", "key_1", At(20)), std::nullopt,
                              std::chrono::seconds(60), Event("ev_rot2", "key.rotated", "acc_a"))
                  .ok());
  EXPECT_EQ(store_->FindKeyBySecret(Sha256("tfzo_s1AAAA"))->secret_revoked_at, At(20));
  EXPECT_EQ(store_->FindKeyBySecret(Sha256("tfzo_s2BBBB"))->secret_revoked_at, At(80));
  EXPECT_EQ(store_->FindKey("key_1")->previous_valid_until, At(80));

  // Revoking ends both values at once.
  ASSERT_TRUE(store_->RevokeKey("key_1", At(30), Event("ev_rev", "key.revoked", "acc_a")).ok());
  EXPECT_EQ(store_->FindKeyBySecret(Sha256("tfzo_s2BBBB"))->secret_revoked_at, At(30));
  EXPECT_EQ(store_->FindKeyBySecret(Sha256("tfzo_s3CCCC"))->secret_revoked_at, At(30));
  EXPECT_FALSE(store_->FindKey("key_1")->previous_valid_until.has_value());
}

TEST_P(KeysTest, RevokeKeyIsIdempotent) {
  ASSERT_TRUE(store_
                  ->CreateKey(Key("key_1", "acc_a"), Secret("tfzo_s1AAAA", "key_1"),
                              Event("ev_k1", "key.created", "acc_a"))
                  .ok());
  ASSERT_TRUE(store_
                  ->RotateKey("key_1", Secret("tfzo_s2BBBB", "key_1", At(5)), std::nullopt,
                              std::chrono::seconds(0), Event("ev_rot", "key.rotated", "acc_a"))
                  .ok());
  auto first = store_->RevokeKey("key_1", At(10), Event("ev_rev1", "key.revoked", "acc_a"));
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(*first, At(10));
  auto second = store_->RevokeKey("key_1", At(20), Event("ev_rev2", "key.revoked", "acc_a"));
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(*second, At(10));

  EXPECT_EQ(store_->FindKey("key_1")->revoked_at, At(10));
  auto current = store_->FindKeyBySecret(Sha256("tfzo_s2BBBB"));
  EXPECT_EQ(current->key_revoked_at, At(10));
  EXPECT_EQ(current->secret_revoked_at, At(10));
  auto rotated_away = store_->FindKeyBySecret(Sha256("tfzo_s1AAAA"));
  EXPECT_EQ(rotated_away->secret_revoked_at, At(5));  // keeps its rotation time
  EXPECT_EQ(rotated_away->key_revoked_at, At(10));

  EXPECT_EQ(EventsOf("acc_a"),
            (std::vector<std::string>{"ev_a", "ev_o1", "ev_k1", "ev_rot", "ev_rev1"}));
  EXPECT_EQ(
      store_->RevokeKey("key_zzz", At(1), Event("ev_rev3", "key.revoked", "acc_a")).status().code(),
      StatusCode::kNotFound);
}

TEST_P(KeysTest, RecordKeyUsesNeverGoesBackwards) {
  for (const char* id : {"key_1", "key_2"}) {
    ASSERT_TRUE(store_
                    ->CreateKey(Key(id, "acc_a"), Secret(std::string("tfzo_") + id + "XXXX", id),
                                Event(std::string("ev_") + id, "key.created", "acc_a"))
                    .ok());
  }
  EXPECT_TRUE(store_->RecordKeyUses({}).ok());
  ASSERT_TRUE(
      store_->RecordKeyUses({{"key_1", At(100)}, {"key_2", At(7)}, {"key_zzz", At(1)}}).ok());
  EXPECT_EQ(store_->FindKey("key_1")->last_used_at, At(100));
  EXPECT_EQ(store_->FindKey("key_2")->last_used_at, At(7));
  // Older uses (another node's late batch) and a batch holding both orders.
  ASSERT_TRUE(store_->RecordKeyUses({{"key_1", At(50)}, {"key_2", At(9)}, {"key_2", At(8)}}).ok());
  EXPECT_EQ(store_->FindKey("key_1")->last_used_at, At(100));
  EXPECT_EQ(store_->FindKey("key_2")->last_used_at, At(9));
}

TFZO_INSTANTIATE_ON_EVERY_ENGINE(KeysTest);

}  // namespace
}  // namespace tfzo
