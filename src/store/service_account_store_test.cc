#include <gtest/gtest.h>

#include <mutex>
#include <string>
#include <vector>

#include "core/digest.h"
#include "store/store_test.h"
#include "store/store_test_util.h"

// Service accounts in the Store contract (see store_test.cc), on every engine: creation, the
// one membership the store answers for them, and deletion revoking their keys in one
// transaction with one change per key.

namespace tfzo {
namespace {

using namespace ::tfzo::testing;  // NOLINT: test records

class ServiceAccountsTest : public StoreTest {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    if (HasFatalFailure()) return;
    ASSERT_TRUE(
        store_
            ->CreateOrg({.id = "org_1", .name = "Acme", .created_at = kT0, .handle = "acme"},
                        "acc_a", Event("ev_o1", "org.created", "acc_a", "org_1"))
            .ok());
    ASSERT_TRUE(
        store_
            ->CreateOrg({.id = "org_2", .name = "Other", .created_at = kT0, .handle = "other"},
                        "acc_b", Event("ev_o2", "org.created", "acc_b", "org_2"))
            .ok());
  }

  Status Create(const std::string& id, const std::string& org, const std::string& name,
                Time at = kT0) {
    return store_->CreateServiceAccount({.id = id,
                                         .org_id = org,
                                         .name = name,
                                         .description = "deploys",
                                         .created_by = "acc_a",
                                         .created_at = at},
                                        Event("ev_" + id, "service_account.created", "acc_a", org));
  }

  void AddKey(const std::string& id, const std::string& account, const std::string& org) {
    ASSERT_TRUE(store_
                    ->CreateKey(Key(id, account, kT0, org), Secret("tfzo_value_" + id, id),
                                Event("ev_" + id, "key.created", "acc_a", org))
                    .ok());
  }

  void Listen() {
    store_->SetChangeListener([this](const Change& c) {
      std::lock_guard lock(mu_);
      changes_.push_back(c);
    });
  }
  std::vector<Change> Heard() {
    std::lock_guard lock(mu_);
    return changes_;
  }

  std::mutex mu_;
  std::vector<Change> changes_;
};

TEST_P(ServiceAccountsTest, CreateListFindAndItsOneMembership) {
  ASSERT_TRUE(Create("sa_1", "org_1", "CI").ok());
  ASSERT_TRUE(Create("sa_2", "org_1", "Backups", At(1)).ok());
  ASSERT_TRUE(Create("sa_3", "org_2", "Elsewhere").ok());
  EXPECT_EQ(Create("sa_4", "org_zzz", "Nowhere").code(), StatusCode::kNotFound);

  auto listed = store_->ListServiceAccounts("org_1");
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(listed->size(), 2u);
  EXPECT_EQ((*listed)[0].id, "sa_1");
  EXPECT_EQ((*listed)[0].name, "CI");
  EXPECT_EQ((*listed)[0].description, "deploys");
  EXPECT_EQ((*listed)[0].created_by, "acc_a");
  EXPECT_EQ((*listed)[1].id, "sa_2");
  EXPECT_EQ(store_->FindServiceAccount("sa_3")->org_id, "org_2");
  EXPECT_EQ(store_->FindServiceAccount("sa_4").status().code(), StatusCode::kNotFound);

  // Its accounts row: an address nobody can type, no password.
  auto account = store_->FindAccount("sa_1");
  ASSERT_TRUE(account.ok());
  EXPECT_EQ(account->email, ServiceAccountEmail("sa_1"));
  EXPECT_TRUE(account->password_hash.empty());
  EXPECT_EQ(account->name, "CI");

  // Exactly its org, role member, never lacking two-factor (even where the org requires it).
  ASSERT_TRUE(store_
                  ->UpdateOrg({.id = "org_1",
                               .name = "Acme",
                               .created_at = kT0,
                               .handle = "acme",
                               .require_two_factor = true},
                              Event("ev_u", "org.updated", "acc_a", "org_1"))
                  .ok());
  auto memberships = store_->ListMemberships("sa_1");
  ASSERT_TRUE(memberships.ok());
  ASSERT_EQ(memberships->size(), 1u);
  EXPECT_EQ((*memberships)[0].org_id, "org_1");
  EXPECT_EQ((*memberships)[0].org_name, "Acme");
  EXPECT_EQ((*memberships)[0].role, Role::kMember);
  EXPECT_FALSE((*memberships)[0].LacksTwoFactor());
  auto found = store_->FindMembership("org_1", "sa_1");
  ASSERT_TRUE(found.ok() && found->has_value());
  EXPECT_EQ((*found)->role, Role::kMember);
  EXPECT_FALSE(store_->FindMembership("org_2", "sa_1")->has_value());
  // Not a member in the org's member list, and a person's memberships are unchanged.
  EXPECT_EQ(store_->ListMembers("org_1")->size(), 1u);
  EXPECT_EQ(store_->ListMemberships("acc_a")->size(), 1u);

  // Its keys name it.
  AddKey("key_s", "sa_1", "org_1");
  AddKey("key_p", "acc_a", "org_1");
  EXPECT_EQ(store_->FindKey("key_s")->service_account_name, "CI");
  EXPECT_FALSE(store_->FindKey("key_p")->service_account_name.has_value());
  auto org_keys = store_->ListOrgKeys("org_1");
  ASSERT_EQ(org_keys->size(), 2u);
}

TEST_P(ServiceAccountsTest, DeleteRevokesItsKeysWithOneChangePerKey) {
  ASSERT_TRUE(Create("sa_1", "org_1", "CI").ok());
  ASSERT_TRUE(Create("sa_2", "org_1", "Backups").ok());
  AddKey("key_1", "sa_1", "org_1");
  AddKey("key_2", "sa_1", "org_1");
  AddKey("key_old", "sa_1", "org_1");
  AddKey("key_keep", "sa_2", "org_1");
  ASSERT_TRUE(store_->RevokeKey("key_old", At(-1), Event("ev_rv", "key.revoked", "acc_a")).ok());
  Listen();
  EXPECT_EQ(store_
                ->DeleteServiceAccount("sa_zzz", At(5),
                                       Event("ev_d0", "service_account.deleted", "acc_a"))
                .code(),
            StatusCode::kNotFound);
  ASSERT_TRUE(store_
                  ->DeleteServiceAccount(
                      "sa_1", At(5), Event("ev_d1", "service_account.deleted", "acc_a", "org_1"))
                  .ok());

  const std::vector<Change> heard = Heard();
  ASSERT_EQ(heard.size(), 4u);
  EXPECT_EQ(heard[0].kind, Change::Kind::kKey);
  EXPECT_EQ(heard[0].key_id, "key_1");
  EXPECT_EQ(heard[1].key_id, "key_2");
  EXPECT_EQ(heard[2].kind, Change::Kind::kMembership);
  EXPECT_EQ(heard[2].account_id, "sa_1");
  EXPECT_EQ(heard[3].kind, Change::Kind::kAccount);

  for (const char* id : {"key_1", "key_2"}) {
    auto state = store_->FindKeyBySecret(Sha256(std::string("tfzo_value_") + id));
    ASSERT_TRUE(state.ok());
    EXPECT_EQ(state->key_revoked_at, At(5));
    EXPECT_EQ(state->secret_revoked_at, At(5));
    EXPECT_EQ(store_->FindKey(id)->service_account_name, "CI");  // still named
  }
  EXPECT_EQ(store_->FindKey("key_old")->revoked_at, At(-1));
  EXPECT_FALSE(store_->FindKey("key_keep")->revoked_at.has_value());
  EXPECT_EQ(store_->FindServiceAccount("sa_1").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(store_->ListServiceAccounts("org_1")->size(), 1u);
  // No key is added to it afterwards (a creation that raced the deletion is refused).
  EXPECT_EQ(store_
                ->CreateKey(Key("key_late", "sa_1", kT0, "org_1"), Secret("tfzo_late", "key_late"),
                            Event("ev_kl", "key.created", "acc_a", "org_1"))
                .code(),
            StatusCode::kNotFound);
  EXPECT_TRUE(store_->ListMemberships("sa_1")->empty());
  EXPECT_FALSE(store_->FindMembership("org_1", "sa_1")->has_value());
  EXPECT_EQ(
      store_
          ->DeleteServiceAccount("sa_1", At(6), Event("ev_d2", "service_account.deleted", "acc_a"))
          .code(),
      StatusCode::kNotFound);
}

TEST_P(ServiceAccountsTest, DeletingTheOrgDeletesItsServiceAccounts) {
  ASSERT_TRUE(Create("sa_1", "org_1", "CI").ok());
  AddKey("key_1", "sa_1", "org_1");
  Listen();
  ASSERT_TRUE(
      store_->DeleteOrg("org_1", At(5), Event("ev_d", "org.deleted", "acc_a", "org_1")).ok());
  bool dropped = false;
  for (const Change& c : Heard()) {
    if (c.kind == Change::Kind::kMembership && c.account_id == "sa_1") dropped = true;
  }
  EXPECT_TRUE(dropped);
  EXPECT_EQ(store_->FindKey("key_1")->revoked_at, At(5));
  EXPECT_TRUE(store_->ListMemberships("sa_1")->empty());
  EXPECT_EQ(store_->FindServiceAccount("sa_1").status().code(), StatusCode::kNotFound);
}

TFZO_INSTANTIATE_ON_EVERY_ENGINE(ServiceAccountsTest);

}  // namespace
}  // namespace tfzo
