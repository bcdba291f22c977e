#include <gtest/gtest.h>

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "model/key_flags.h"
#include "store/store_test.h"
#include "store/store_test_util.h"

// The keys list (Store::QueryKeys), bulk revocation (Store::RevokeKeys) and the per-account
// quotas, run against SqlStore on every engine: both must answer alike.

namespace tfzo {
namespace {

using namespace ::tfzo::testing;  // NOLINT: test records

class KeyListTest : public StoreTest {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    if (HasFatalFailure()) return;
    ASSERT_TRUE(store_
                    ->CreateOrg({.id = "org_1", .name = "One", .created_at = kT0}, "acc_a",
                                Event("ev_o1", "org.created", "acc_a", "org_1"))
                    .ok());
  }

  void Add(const std::string& id, const std::string& account, Time created_at,
           std::string name = "ci", std::string description = "for CI",
           std::optional<std::string> org = std::nullopt) {
    KeyRecord k = Key(id, account, created_at, org);
    k.name = std::move(name);
    k.description = std::move(description);
    ASSERT_TRUE(store_
                    ->CreateKey(k, Secret("tfzo_secret_" + id + "WXYZ", id, created_at),
                                Event("ev_" + id, "key.created", account))
                    .ok())
        << id;
  }

  KeyQuery Mine(std::string account = "acc_a") {
    return KeyQuery{.account_id = std::move(account), .now = At(1000)};
  }

  std::vector<std::string> Ids(const KeyQuery& query) {
    auto page = store_->QueryKeys(query);
    EXPECT_TRUE(page.ok()) << page.status().message();
    std::vector<std::string> ids;
    if (page.ok()) {
      for (const KeyRecord& k : page->keys) ids.push_back(k.id);
    }
    return ids;
  }
};

TEST_P(KeyListTest, PagesVisitEveryKeyOnceNewestFirstTiesByInsertion) {
  // Three share a second: the later inserted (higher seq) comes first.
  for (const auto& [id, at] : std::vector<std::pair<std::string, int>>{
           {"key_1", 1}, {"key_2", 5}, {"key_3", 5}, {"key_4", 5}, {"key_5", 9}, {"key_6", 2}}) {
    Add(id, "acc_a", At(at));
  }
  Add("key_b", "acc_b", At(5));
  const std::vector<std::string> order = {"key_5", "key_4", "key_3", "key_2", "key_6", "key_1"};
  EXPECT_EQ(Ids(Mine()), order);

  std::vector<std::string> walked;
  KeyQuery q = Mine();
  q.limit = 2;
  for (int pages = 0; pages < 10; ++pages) {
    auto page = store_->QueryKeys(q);
    ASSERT_TRUE(page.ok()) << page.status().message();
    EXPECT_LE(page->keys.size(), 2u);
    for (const KeyRecord& k : page->keys) walked.push_back(k.id);
    if (!page->next) break;
    q.after = page->next;
  }
  EXPECT_EQ(walked, order);

  // A page that ends exactly at the last key says so: no next cursor, no empty page after.
  q = Mine();
  q.limit = 6;
  auto full = store_->QueryKeys(q);
  ASSERT_TRUE(full.ok());
  EXPECT_EQ(full->keys.size(), 6u);
  EXPECT_FALSE(full->next.has_value());
}

TEST_P(KeyListTest, StatusFilters) {
  Add("key_live", "acc_a", At(1));
  Add("key_old", "acc_a", At(2));
  Add("key_gone", "acc_a", At(3));
  Add("key_later", "acc_a", At(4));
  // Expiration is decided at the query's time, like KeyStatusName.
  KeyRecord expiring = Key("key_exp", "acc_a", At(5));
  expiring.expires_at = At(1000);  // == now: expired
  ASSERT_TRUE(store_
                  ->CreateKey(expiring, Secret("tfzo_secret_expAAAA", "key_exp", At(5)),
                              Event("ev_exp", "key.created", "acc_a"))
                  .ok());
  KeyRecord future = Key("key_fut", "acc_a", At(6));
  future.expires_at = At(1001);
  ASSERT_TRUE(store_
                  ->CreateKey(future, Secret("tfzo_secret_futAAAA", "key_fut", At(6)),
                              Event("ev_fut", "key.created", "acc_a"))
                  .ok());
  ASSERT_TRUE(store_->RevokeKey("key_gone", At(7), Event("ev_r", "key.revoked", "acc_a")).ok());

  KeyQuery q = Mine();
  q.state = KeyQuery::State::kActive;
  EXPECT_EQ(Ids(q), (std::vector<std::string>{"key_fut", "key_later", "key_old", "key_live"}));
  q.state = KeyQuery::State::kExpired;
  EXPECT_EQ(Ids(q), (std::vector<std::string>{"key_exp"}));
  q.state = KeyQuery::State::kRevoked;
  EXPECT_EQ(Ids(q), (std::vector<std::string>{"key_gone"}));
  q.state = KeyQuery::State::kAny;
  EXPECT_EQ(Ids(q).size(), 6u);
}

// status=needs_attention is KeyFlags in SQL: both must agree, on every engine, to the second.
TEST_P(KeyListTest, NeedsAttentionIsExactlyTheActiveKeysWithFlags) {
  using std::chrono::days;
  using std::chrono::seconds;
  const Time now = kT0 + days(200);
  ASSERT_TRUE(store_
                  ->AddMember("org_1", "acc_b", Role::kMember,
                              Event("ev_m", "org.member_added", "acc_a", "org_1"))
                  .ok());
  ASSERT_TRUE(store_
                  ->CreateServiceAccount({.id = "acc_sa",
                                          .org_id = "org_1",
                                          .name = "CI",
                                          .description = "",
                                          .created_by = "acc_a",
                                          .created_at = kT0},
                                         Event("ev_sa", "service_account.created", "acc_a"))
                  .ok());
  int n = 0;
  const auto add = [&](const std::string& id, Time created, auto&& edit) {
    KeyRecord k = Key(id, "acc_a", created);
    edit(k);
    ASSERT_TRUE(store_
                    ->CreateKey(k, Secret("tfzo_secret_" + id + "WXYZ", id, created),
                                Event("ev_k" + std::to_string(++n), "key.created", k.account_id))
                    .ok())
        << id;
  };
  const auto none = [](KeyRecord&) {};
  add("key_fresh", now - days(10), none);
  add("key_unused", now - days(100), [&](KeyRecord& k) { k.rotated_at = now - days(10); });
  add("key_rot", now - days(100), [&](KeyRecord& k) { k.last_used_at = now - days(1); });
  add("key_edge", now - days(90), none);
  add("key_edge_not", now - days(90) + seconds(1), none);
  add("key_soon", now - days(1), [&](KeyRecord& k) { k.expires_at = now + days(7); });
  add("key_not_soon", now - days(1),
      [&](KeyRecord& k) { k.expires_at = now + days(7) + seconds(1); });
  add("key_expired", now - days(100), [&](KeyRecord& k) { k.expires_at = now; });
  add("key_revoked", now - days(100), none);
  add("key_left", now - days(2), [](KeyRecord& k) {
    k.account_id = "acc_b";
    k.org_id = "org_1";
  });
  add("key_owner", now - days(2), [](KeyRecord& k) { k.org_id = "org_1"; });
  add("key_sa", now - days(2), [](KeyRecord& k) {
    k.account_id = "acc_sa";
    k.org_id = "org_1";
  });
  ASSERT_TRUE(
      store_->RevokeKey("key_revoked", now - days(1), Event("ev_r", "key.revoked", "acc_a")).ok());
  ASSERT_TRUE(
      store_->RemoveMember("org_1", "acc_b", Event("ev_rm", "org.member_removed", "acc_a", "org_1"))
          .ok());

  const std::map<std::string, std::vector<std::string_view>> expected = {
      {"key_unused", {"unused_90_days"}},
      {"key_rot", {"rotation_due"}},
      {"key_edge", {"unused_90_days", "rotation_due"}},
      {"key_soon", {"expiring_soon"}},
      {"key_left", {"owner_left_org"}}};
  std::set<std::string> flagged;
  for (const std::string owner : {"acc_a", "acc_b", "acc_sa"}) {
    auto all = store_->QueryKeys(KeyQuery{.account_id = owner, .now = now});
    ASSERT_TRUE(all.ok());
    for (const KeyRecord& k : all->keys) {
      auto want = expected.find(k.id);
      EXPECT_EQ(KeyFlags(k, now),
                want == expected.end() ? std::vector<std::string_view>{} : want->second)
          << k.id;
      if (!KeyFlags(k, now).empty()) flagged.insert(k.id);
    }
  }
  EXPECT_EQ(flagged.size(), expected.size());
  KeyQuery q{.account_id = "acc_a", .state = KeyQuery::State::kNeedsAttention, .now = now};
  EXPECT_EQ(Ids(q), (std::vector<std::string>{"key_soon", "key_edge", "key_rot", "key_unused"}));
  q.limit = 1;  // paged like the others
  auto first = store_->QueryKeys(q);
  ASSERT_TRUE(first.ok() && first->next);
  q.after = first->next;
  EXPECT_EQ(Ids(q), (std::vector<std::string>{"key_edge"}));
  EXPECT_EQ(Ids({.account_id = "acc_b", .state = KeyQuery::State::kNeedsAttention, .now = now}),
            (std::vector<std::string>{"key_left"}));
  // An organization's list: the departed member's key, not the owner's nor the service account's.
  KeyQuery org{.org_id = "org_1", .state = KeyQuery::State::kNeedsAttention, .now = now};
  EXPECT_EQ(Ids(org), (std::vector<std::string>{"key_left"}));
  // One second later, the two keys one second short of a threshold cross it.
  q = KeyQuery{
      .account_id = "acc_a", .state = KeyQuery::State::kNeedsAttention, .now = now + seconds(1)};
  EXPECT_EQ(Ids(q), (std::vector<std::string>{"key_not_soon", "key_soon", "key_edge_not",
                                              "key_edge", "key_rot", "key_unused"}));
}

TEST_P(KeyListTest, TextMatchesNameDescriptionOrHintWithWildcardsTakenLiterally) {
  Add("key_pct", "acc_a", At(1), "100% off");
  Add("key_und", "acc_a", At(2), "under_score");
  Add("key_esc", "acc_a", At(3), "back\\slash");
  Add("key_de", "acc_a", At(4), "Schlüssel Ärger");
  Add("key_desc", "acc_a", At(5), "plain", "Deploys the FRONT end");
  Add("key_x", "acc_a", At(6), "10 off", "under score");

  const auto with = [&](std::string text) {
    KeyQuery q = Mine();
    q.text = std::move(text);
    return Ids(q);
  };
  EXPECT_EQ(with("%"), (std::vector<std::string>{"key_pct"}));
  EXPECT_EQ(with("0% O"), (std::vector<std::string>{"key_pct"}));
  // (Every hint has a "_": "tfzo_...abcd".) Unescaped, "r_s" would match "under score" too.
  EXPECT_EQ(with("r_s"), (std::vector<std::string>{"key_und"}));
  EXPECT_EQ(with("\\"), (std::vector<std::string>{"key_esc"}));
  // A-Z either case; other letters only as written (the same on both engines).
  EXPECT_EQ(with("SCHLü"), (std::vector<std::string>{"key_de"}));
  EXPECT_EQ(with("SCHLÜ"), (std::vector<std::string>()));
  EXPECT_EQ(with("ssel är"), (std::vector<std::string>()));
  EXPECT_EQ(with("ssel Är"), (std::vector<std::string>{"key_de"}));
  EXPECT_EQ(with("front END"), (std::vector<std::string>{"key_desc"}));
  // The hint: every key here has "tfzo_...abcd".
  EXPECT_EQ(with("...ABCD").size(), 6u);
  EXPECT_EQ(with("nothing like it"), (std::vector<std::string>()));
}

TEST_P(KeyListTest, ACursorIsAPositionNotAKey) {
  for (int i = 1; i <= 5; ++i) Add("key_" + std::to_string(i), "acc_a", At(i));
  Add("key_b1", "acc_b", At(3));
  Add("key_b2", "acc_b", At(4));
  // Another account's cursor only says where to start: it shows none of that account's keys.
  KeyQuery theirs = Mine("acc_b");
  theirs.limit = 1;
  auto their_page = store_->QueryKeys(theirs);
  ASSERT_TRUE(their_page.ok() && their_page->next);
  KeyQuery after_theirs = Mine();
  after_theirs.after = their_page->next;  // key_b2's place: At(4), after key_4 was added
  EXPECT_EQ(Ids(after_theirs), (std::vector<std::string>{"key_4", "key_3", "key_2", "key_1"}));
  KeyQuery q = Mine();
  q.after = KeyCursor{.created_at = At(3), .seq = 1'000'000};  // no such row (a "deleted" key)
  EXPECT_EQ(Ids(q), (std::vector<std::string>{"key_3", "key_2", "key_1"}));
  q.after = KeyCursor{.created_at = At(3), .seq = 0};
  EXPECT_EQ(Ids(q), (std::vector<std::string>{"key_2", "key_1"}));
  // A key revoked between two pages: the next page of active keys goes on below the cursor.
  q = Mine();
  q.state = KeyQuery::State::kActive;
  q.limit = 2;
  auto first = store_->QueryKeys(q);
  ASSERT_TRUE(first.ok() && first->next);
  ASSERT_TRUE(store_->RevokeKey("key_4", At(10), Event("ev_r4", "key.revoked", "acc_a")).ok());
  q.after = first->next;
  EXPECT_EQ(Ids(q), (std::vector<std::string>{"key_3", "key_2"}));
}

TEST_P(KeyListTest, AnOrganizationsListHasTheKeysScopedToIt) {
  Add("key_mine", "acc_a", At(1));
  Add("key_org", "acc_a", At(2), "scoped", "", "org_1");
  ASSERT_TRUE(store_
                  ->AddMember("org_1", "acc_b", Role::kMember,
                              Event("ev_m", "org.member_added", "acc_a", "org_1"))
                  .ok());
  Add("key_borg", "acc_b", At(3), "theirs", "", "org_1");
  KeyQuery q{.org_id = "org_1", .now = At(1000)};
  auto page = store_->QueryKeys(q);
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->keys.size(), 2u);
  EXPECT_EQ(page->keys[0].id, "key_borg");
  EXPECT_EQ(page->keys[0].email, "b@example.com");
  EXPECT_EQ(page->keys[1].id, "key_org");
  q.text = "THEIRS";
  EXPECT_EQ(Ids(q), (std::vector<std::string>{"key_borg"}));
}

TEST_P(KeyListTest, BulkRevocationIsAllOrNothing) {
  Add("key_1", "acc_a", At(1));
  Add("key_2", "acc_a", At(2));
  Add("key_3", "acc_a", At(3));
  Add("key_b", "acc_b", At(4));
  ASSERT_TRUE(store_->RevokeKey("key_3", At(5), Event("ev_r3", "key.revoked", "acc_a")).ok());
  const auto revoke = [](std::string id, std::string event_id) {
    EventRecord e = Event(std::move(event_id), "key.revoked", "acc_a");
    e.target_id = std::move(id);
    return e;
  };
  // One key of another account (or none at all): nothing is revoked.
  for (const char* bad : {"key_b", "key_nope"}) {
    EXPECT_EQ(store_->RevokeKeys("acc_a", {revoke("key_1", "ev_x1"), revoke(bad, "ev_x2")}, At(20))
                  .status()
                  .code(),
              StatusCode::kNotFound);
  }
  KeyQuery q = Mine();
  q.state = KeyQuery::State::kRevoked;
  EXPECT_EQ(Ids(q), (std::vector<std::string>{"key_3"}));
  auto b = store_->FindKey("key_b");
  ASSERT_TRUE(b.ok());
  EXPECT_FALSE(b->revoked_at.has_value());

  auto done = store_->RevokeKeys(
      "acc_a", {revoke("key_3", "ev_y3"), revoke("key_1", "ev_y1"), revoke("key_2", "ev_y2")},
      At(30));
  ASSERT_TRUE(done.ok()) << done.status().message();
  // In the order asked; key_3 keeps its first revocation (and its event is not recorded again).
  EXPECT_EQ(*done, (std::vector<Time>{At(5), At(30), At(30)}));
  EXPECT_EQ(Ids(q), (std::vector<std::string>{"key_3", "key_2", "key_1"}));
  const std::vector<std::string> events = EventsOf("acc_a");
  const std::set<std::string> recorded(events.begin(), events.end());
  EXPECT_TRUE(recorded.count("ev_y1") && recorded.count("ev_y2"));
  EXPECT_FALSE(recorded.count("ev_y3"));
  EXPECT_FALSE(recorded.count("ev_x1"));
  auto state = store_->FindKeyBySecret(Sha256("tfzo_secret_key_1WXYZ"));
  ASSERT_TRUE(state.ok());
  EXPECT_TRUE(state->key_revoked_at.has_value());
}

TEST_P(KeyListTest, QuotasCountActiveKeysAndLiveOrganizations) {
  store_->SetQuotas(Quotas{.max_active_keys = 2, .max_orgs = 2});
  KeyRecord expired = Key("key_e", "acc_a", At(1));
  expired.expires_at = At(2);
  ASSERT_TRUE(store_
                  ->CreateKey(expired, Secret("tfzo_secret_eAAAA", "key_e", At(1)),
                              Event("ev_e", "key.created", "acc_a"))
                  .ok());
  Add("key_1", "acc_a", At(3));
  Add("key_2", "acc_a", At(3));  // key_e expired at At(2): two active
  EXPECT_EQ(store_
                ->CreateKey(Key("key_3", "acc_a", At(3)), Secret("tfzo_secret_3AAAA", "key_3"),
                            Event("ev_3", "key.created", "acc_a"))
                .code(),
            StatusCode::kQuotaExceeded);
  EXPECT_EQ(store_->FindKey("key_3").status().code(), StatusCode::kNotFound);
  Add("key_b", "acc_b", At(3));  // another account's quota is its own
  ASSERT_TRUE(store_->RevokeKey("key_1", At(4), Event("ev_r1", "key.revoked", "acc_a")).ok());
  Add("key_3", "acc_a", At(5));

  // acc_a has org_1; one more, then no more; a deleted one no longer counts.
  ASSERT_TRUE(store_
                  ->CreateOrg({.id = "org_2", .name = "Two", .created_at = kT0}, "acc_a",
                              Event("ev_o2", "org.created", "acc_a", "org_2"))
                  .ok());
  EXPECT_EQ(store_
                ->CreateOrg({.id = "org_3", .name = "Three", .created_at = kT0}, "acc_a",
                            Event("ev_o3", "org.created", "acc_a", "org_3"))
                .code(),
            StatusCode::kQuotaExceeded);
  EXPECT_EQ(store_->FindOrg("org_3").status().code(), StatusCode::kNotFound);
  ASSERT_TRUE(
      store_->DeleteOrg("org_2", At(6), Event("ev_d2", "org.deleted", "acc_a", "org_2")).ok());
  EXPECT_TRUE(store_
                  ->CreateOrg({.id = "org_3", .name = "Three", .created_at = kT0}, "acc_a",
                              Event("ev_o3", "org.created", "acc_a", "org_3"))
                  .ok());
}

TFZO_INSTANTIATE_ON_EVERY_ENGINE(KeyListTest);

}  // namespace
}  // namespace tfzo
