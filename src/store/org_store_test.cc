#include <gtest/gtest.h>
#include <sqlite3.h>

#include <mutex>
#include <string>
#include <vector>

#include "core/digest.h"
#include "store/migrations.h"
#include "store/pg_connection.h"
#include "store/postgres_migrator.h"
#include "store/sqlite_migrator.h"
#include "store/store_test.h"
#include "store/store_test_util.h"

// The organizations' lifecycle in the Store contract (see store_test.cc): handles, renames,
// roles and deletion, run against SqlStore on every engine; and migration 0005 on both.

namespace tfzo {
namespace {

using namespace ::tfzo::testing;  // NOLINT: test records

class OrgsTest : public StoreTest {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    if (HasFatalFailure()) return;
    ASSERT_TRUE(
        store_
            ->CreateOrg({.id = "org_1", .name = "Acme", .created_at = kT0, .handle = "acme"},
                        "acc_a", Event("ev_o1", "org.created", "acc_a", "org_1"))
            .ok());
    ASSERT_TRUE(store_
                    ->AddMember("org_1", "acc_b", Role::kMember,
                                Event("ev_m1", "org.member_added", "acc_a", "org_1"))
                    .ok());
  }

  // Records what the store publishes from now on.
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

TEST_P(OrgsTest, HandlesAreUniqueAmongLiveOrgsAndDefaultToTheId) {
  auto org = store_->FindOrg("org_1");
  ASSERT_TRUE(org.ok());
  EXPECT_EQ(org->handle, "acme");
  EXPECT_EQ(store_
                ->CreateOrg({.id = "org_2", .name = "Acme", .created_at = kT0, .handle = "acme"},
                            "acc_b", Event("ev_o2", "org.created", "acc_b", "org_2"))
                .code(),
            StatusCode::kConflict);
  EXPECT_EQ(store_->FindOrg("org_2").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(EventsOf("acc_b"), std::vector<std::string>{"ev_b"});  // nothing written

  // No handle given: the one migration 0005 gives, from the id.
  ASSERT_TRUE(store_
                  ->CreateOrg({.id = "org_Ab9", .name = "Acme", .created_at = kT0}, "acc_b",
                              Event("ev_o3", "org.created", "acc_b", "org_Ab9"))
                  .ok());
  EXPECT_EQ(store_->FindOrg("org_Ab9")->handle, "org-ab9");

  auto memberships = store_->ListMemberships("acc_b");
  ASSERT_TRUE(memberships.ok());
  ASSERT_EQ(memberships->size(), 2u);
  EXPECT_EQ((*memberships)[0].org_handle, "acme");
  EXPECT_EQ((*memberships)[1].org_handle, "org-ab9");
  EXPECT_EQ((*store_->ListMembers("org_1"))[1].org_handle, "acme");
}

TEST_P(OrgsTest, UpdateOrgRenamesAndDropsEveryMembersCachedMemberships) {
  ASSERT_TRUE(
      store_
          ->CreateOrg({.id = "org_2", .name = "Other", .created_at = kT0, .handle = "other"},
                      "acc_b", Event("ev_o2", "org.created", "acc_b", "org_2"))
          .ok());
  Listen();
  EXPECT_EQ(store_
                ->UpdateOrg({.id = "org_1", .name = "X", .created_at = kT0, .handle = "other"},
                            Event("ev_u1", "org.renamed", "acc_a", "org_1"))
                .code(),
            StatusCode::kConflict);
  EXPECT_EQ(store_
                ->UpdateOrg({.id = "org_zzz", .name = "X", .created_at = kT0, .handle = "x"},
                            Event("ev_u2", "org.renamed", "acc_a", "org_zzz"))
                .code(),
            StatusCode::kNotFound);
  EXPECT_TRUE(Heard().empty());

  ASSERT_TRUE(
      store_
          ->UpdateOrg(
              {.id = "org_1", .name = "Acme Corp", .created_at = kT0, .handle = "acme-corp"},
              Event("ev_u3", "org.renamed", "acc_a", "org_1"))
          .ok());
  auto org = store_->FindOrg("org_1");
  EXPECT_EQ(org->name, "Acme Corp");
  EXPECT_EQ(org->handle, "acme-corp");
  EXPECT_EQ(org->created_at, kT0);
  const std::vector<Change> heard = Heard();
  ASSERT_EQ(heard.size(), 2u);  // one per member
  for (const Change& c : heard) {
    EXPECT_EQ(c.kind, Change::Kind::kMembership);
    EXPECT_EQ(c.org_id, "org_1");
  }
  EXPECT_EQ(heard[0].account_id, "acc_a");
  EXPECT_EQ(heard[1].account_id, "acc_b");
  EXPECT_LT(heard[0].seq, heard[1].seq);
  EXPECT_EQ(EventsOf("acc_a").back(), "ev_u3");
  // The old handle is free.
  EXPECT_TRUE(store_
                  ->CreateOrg({.id = "org_3", .name = "Acme", .created_at = kT0, .handle = "acme"},
                              "acc_b", Event("ev_o3", "org.created", "acc_b", "org_3"))
                  .ok());
}

TEST_P(OrgsTest, SetMemberRoleKeepsAnOwner) {
  Listen();
  EXPECT_EQ(store_
                ->SetMemberRole("org_1", "acc_a", Role::kMember,
                                Event("ev_r1", "org.member_role_changed", "acc_a", "org_1"))
                .code(),
            StatusCode::kConflict);
  EXPECT_EQ(store_
                ->SetMemberRole("org_1", "acc_zzz", Role::kOwner,
                                Event("ev_r2", "org.member_role_changed", "acc_a", "org_1"))
                .code(),
            StatusCode::kNotFound);
  EXPECT_TRUE(Heard().empty());
  ASSERT_TRUE(store_
                  ->SetMemberRole("org_1", "acc_b", Role::kOwner,
                                  Event("ev_r3", "org.member_role_changed", "acc_a", "org_1"))
                  .ok());
  EXPECT_EQ(store_->FindRole("org_1", "acc_b")->value(), Role::kOwner);
  ASSERT_TRUE(store_
                  ->SetMemberRole("org_1", "acc_a", Role::kMember,
                                  Event("ev_r4", "org.member_role_changed", "acc_a", "org_1"))
                  .ok());
  EXPECT_EQ(store_->FindRole("org_1", "acc_a")->value(), Role::kMember);
  EXPECT_EQ(store_
                ->SetMemberRole("org_1", "acc_b", Role::kMember,
                                Event("ev_r5", "org.member_role_changed", "acc_b", "org_1"))
                .code(),
            StatusCode::kConflict);
  const std::vector<Change> heard = Heard();
  ASSERT_EQ(heard.size(), 2u);
  EXPECT_EQ(heard[0].account_id, "acc_b");
  EXPECT_EQ(heard[1].account_id, "acc_a");
}

TEST_P(OrgsTest, DeleteOrgRevokesItsKeysAndRemovesItsMembersAgentsAndHosts) {
  ASSERT_TRUE(
      store_
          ->CreateOrg({.id = "org_2", .name = "Other", .created_at = kT0, .handle = "other"},
                      "acc_a", Event("ev_o2", "org.created", "acc_a", "org_2"))
          .ok());
  int n = 0;
  auto add_key = [&](const std::string& id, const std::string& account,
                     std::optional<std::string> org) {
    ASSERT_TRUE(store_
                    ->CreateKey(Key(id, account, kT0, org), Secret("tfzo_value_" + id, id),
                                Event("ev_k" + std::to_string(++n), "key.created", account))
                    .ok());
  };
  add_key("key_a", "acc_a", "org_1");
  add_key("key_b", "acc_b", "org_1");
  add_key("key_old", "acc_b", "org_1");
  add_key("key_other", "acc_a", "org_2");
  add_key("key_all", "acc_b", std::nullopt);
  ASSERT_TRUE(store_->RevokeKey("key_old", At(-1), Event("ev_rv", "key.revoked", "acc_b")).ok());
  ASSERT_TRUE(store_
                  ->CreateHost({.id = "host_1",
                                .org_id = "org_1",
                                .name = "web",
                                .address = "10.0.0.1",
                                .created_at = kT0})
                  .ok());
  ASSERT_TRUE(store_
                  ->CreateAgent({.id = "agt_1",
                                 .org_id = "org_1",
                                 .name = "builder",
                                 .host_id = "host_1",
                                 .created_at = kT0})
                  .ok());
  Listen();
  EXPECT_EQ(store_->DeleteOrg("org_zzz", At(5), Event("ev_d0", "org.deleted", "acc_a")).code(),
            StatusCode::kNotFound);
  ASSERT_TRUE(
      store_->DeleteOrg("org_1", At(5), Event("ev_d1", "org.deleted", "acc_a", "org_1")).ok());

  // One change per key revoked now (not the one revoked before), one per former member.
  const std::vector<Change> heard = Heard();
  ASSERT_EQ(heard.size(), 4u);
  EXPECT_EQ(heard[0].kind, Change::Kind::kKey);
  EXPECT_EQ(heard[0].key_id, "key_a");
  EXPECT_EQ(heard[1].key_id, "key_b");
  EXPECT_EQ(heard[2].kind, Change::Kind::kMembership);
  EXPECT_EQ(heard[2].account_id, "acc_a");
  EXPECT_EQ(heard[3].account_id, "acc_b");

  for (const char* id : {"key_a", "key_b"}) {
    auto state = store_->FindKeyBySecret(Sha256(std::string("tfzo_value_") + id));
    ASSERT_TRUE(state.ok());
    EXPECT_EQ(state->key_revoked_at, At(5));
    EXPECT_EQ(state->secret_revoked_at, At(5));
    auto key = store_->FindKey(id);
    EXPECT_EQ(key->org_id, "org_1");
    EXPECT_EQ(key->org_name, "Acme");  // still named, for its owner's history
  }
  EXPECT_EQ(store_->FindKey("key_old")->revoked_at, At(-1));
  EXPECT_FALSE(store_->FindKey("key_other")->revoked_at.has_value());
  EXPECT_FALSE(store_->FindKey("key_all")->revoked_at.has_value());

  EXPECT_EQ(store_->FindOrg("org_1").status().code(), StatusCode::kNotFound);
  EXPECT_FALSE(store_->FindRole("org_1", "acc_a")->has_value());
  EXPECT_TRUE(store_->ListMembers("org_1")->empty());
  EXPECT_TRUE(store_->ListMemberships("acc_b")->empty());
  EXPECT_EQ(store_->ListMemberships("acc_a")->size(), 1u);
  EXPECT_TRUE(store_->ListAgents("org_1")->empty());
  EXPECT_TRUE(store_->ListHosts("org_1")->empty());
  EXPECT_EQ(EventsOf("acc_a").back(), "ev_d1");
  EXPECT_EQ(store_->DeleteOrg("org_1", At(6), Event("ev_d2", "org.deleted", "acc_a")).code(),
            StatusCode::kNotFound);
  EXPECT_EQ(store_
                ->UpdateOrg({.id = "org_1", .name = "X", .created_at = kT0, .handle = "x"},
                            Event("ev_u1", "org.renamed", "acc_a", "org_1"))
                .code(),
            StatusCode::kNotFound);

  // Nothing new refers to it: a key scoped to it is refused, and a membership added by a
  // transaction that raced the deletion is never listed.
  EXPECT_EQ(store_
                ->CreateKey(Key("key_late", "acc_a", kT0, "org_1"), Secret("tfzo_late", "key_late"),
                            Event("ev_kl", "key.created", "acc_a"))
                .code(),
            StatusCode::kNotFound);
  // Its row is still there for the foreign key: the insert passes, and the membership is
  // invisible.
  static_cast<void>(store_->AddMember("org_1", "acc_b", Role::kOwner,
                                      Event("ev_m9", "org.member_added", "acc_a")));
  EXPECT_TRUE(store_->ListMemberships("acc_b")->empty());
  EXPECT_FALSE(store_->FindRole("org_1", "acc_b")->has_value());

  // Its handle is free again.
  EXPECT_TRUE(store_
                  ->CreateOrg({.id = "org_3", .name = "Acme", .created_at = kT0, .handle = "acme"},
                              "acc_b", Event("ev_o3", "org.created", "acc_b", "org_3"))
                  .ok());
}

TEST_P(OrgsTest, APolicyIsStoredWithTheKeysItRulesAndEachChangeDropsThem) {
  auto none = store_->FindOrgPolicy("org_1");
  ASSERT_TRUE(none.ok()) << none.status().message();
  EXPECT_EQ(*none, OrgPolicy{});
  EXPECT_EQ(store_->FindOrgPolicy("org_zzz").status().code(), StatusCode::kNotFound);
  ASSERT_TRUE(store_
                  ->CreateKey(Key("key_s", "acc_b", kT0, "org_1"), Secret("tfzo_value_s", "key_s"),
                              Event("ev_k1", "key.created", "acc_b"))
                  .ok());
  ASSERT_TRUE(store_
                  ->CreateKey(Key("key_u", "acc_b", kT0), Secret("tfzo_value_u", "key_u"),
                              Event("ev_k2", "key.created", "acc_b"))
                  .ok());
  const OrgPolicy policy{.max_lifetime_days = 90,
                         .require_expiration = true,
                         .rotate_every_days = 30,
                         .revoke_unused_after_days = 60,
                         .allowed_permissions = Permissions::ReadOnly(),
                         .updated_at = At(1),
                         .updated_by = "acc_a"};
  Listen();
  ASSERT_TRUE(
      store_->SetOrgPolicy("org_1", policy, Event("ev_p", "org.policy_updated", "acc_a", "org_1"))
          .ok());
  EXPECT_EQ(store_->FindOrgPolicy("org_1").value(), policy);
  const std::vector<Change> heard = Heard();
  ASSERT_EQ(heard.size(), 1u);
  EXPECT_EQ(heard[0].kind, Change::Kind::kOrg);
  EXPECT_EQ(heard[0].org_id, "org_1");

  // The scoped key's state carries the rules, counted from its creation; the other has none.
  const KeyState scoped = store_->FindKeyBySecret(Sha256("tfzo_value_s")).value();
  EXPECT_EQ(scoped.policy.rotate_by, kT0 + std::chrono::days(30));
  EXPECT_EQ(scoped.policy.lifetime_ends, kT0 + std::chrono::days(90));
  EXPECT_TRUE(scoped.policy.expiration_required);
  EXPECT_EQ(scoped.granted(), Permissions::ReadOnly());
  EXPECT_EQ(store_->FindKeyBySecret(Sha256("tfzo_value_u")).value().policy, KeyState::Policy{});

  // Setting it again replaces every rule; a deleted organization has none to set.
  ASSERT_TRUE(store_
                  ->SetOrgPolicy("org_1", OrgPolicy{.updated_at = At(2), .updated_by = "acc_a"},
                                 Event("ev_p2", "org.policy_updated", "acc_a", "org_1"))
                  .ok());
  EXPECT_EQ(store_->FindKeyBySecret(Sha256("tfzo_value_s")).value().policy, KeyState::Policy{});
  ASSERT_TRUE(store_->DeleteOrg("org_1", At(3), Event("ev_d", "org.deleted", "acc_a")).ok());
  EXPECT_EQ(
      store_->SetOrgPolicy("org_1", policy, Event("ev_p3", "org.policy_updated", "acc_a")).code(),
      StatusCode::kNotFound);
}

TFZO_INSTANTIATE_ON_EVERY_ENGINE(OrgsTest);

// Migration 0005 on a database made before it: every org gets the handle derived from its id.

std::vector<Migration> Before5(std::vector<Migration> all) {
  std::erase_if(all, [](const Migration& m) { return m.version >= 5; });
  return all;
}

constexpr char kOldOrgs[] =
    "INSERT INTO orgs (id, name, created_at) VALUES ('org_2NxRgyQ5i0hjgvVW4yufUP', 'Acme', 1), "
    "('org_b', 'Acme', 2)";
constexpr char kHandles[] = "SELECT string_agg(handle, ',' ORDER BY id) FROM orgs";

TEST(SqliteOrgHandleMigrationTest, ExistingOrgsGetAHandleFromTheirId) {
  sqlite3* raw = nullptr;
  ASSERT_EQ(sqlite3_open(":memory:", &raw), SQLITE_OK);
  std::unique_ptr<sqlite3, decltype(&sqlite3_close)> db(raw, &sqlite3_close);
  auto all = LoadMigrations(migrations::Files(), SqlDialect::kSqlite);
  ASSERT_TRUE(all.ok());
  ASSERT_TRUE(ApplySqliteMigrations(db.get(), Before5(*all)).ok());
  ASSERT_EQ(sqlite3_exec(db.get(), kOldOrgs, nullptr, nullptr, nullptr), SQLITE_OK);
  ASSERT_TRUE(ApplySqliteMigrations(db.get(), *all).ok());
  std::vector<std::string> handles;
  sqlite3_exec(
      db.get(), "SELECT handle FROM orgs ORDER BY id",
      [](void* out, int, char** values, char**) {
        static_cast<std::vector<std::string>*>(out)->push_back(values[0]);
        return 0;
      },
      &handles, nullptr);
  EXPECT_EQ(handles, (std::vector<std::string>{"org-2nxrgyq5i0hjgvvw4yufup", "org-b"}));
}

TEST(PostgresOrgHandleMigrationTest, ExistingOrgsGetAHandleFromTheirId) {
  auto db = PgTestDatabase::Create();
  ASSERT_TRUE(db.ok()) << db.status().message();
  auto all = LoadMigrations(migrations::Files(), SqlDialect::kPostgres);
  ASSERT_TRUE(all.ok());
  {
    auto conn = PgConnection::Connect(db->url(), std::chrono::seconds(10));
    ASSERT_TRUE(conn.ok()) << conn.status().message();
    ASSERT_TRUE(ApplyPostgresMigrations(**conn, Before5(*all)).ok());
    ASSERT_TRUE((*conn)->Exec(kOldOrgs).ok());
    ASSERT_TRUE(ApplyPostgresMigrations(**conn, *all).ok());
  }
  auto handles = db->Query(kHandles);
  ASSERT_TRUE(handles.ok()) << handles.status().message();
  EXPECT_EQ(*handles, "org-2nxrgyq5i0hjgvvw4yufup,org-b");
}

}  // namespace
}  // namespace tfzo
