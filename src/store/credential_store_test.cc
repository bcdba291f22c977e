#include <gtest/gtest.h>

#include <algorithm>
#include <mutex>
#include <string>
#include <vector>

#include "core/digest.h"
#include "store/store_test.h"
#include "store/store_test_util.h"

// A person's own credentials in the Store contract (see store_test.cc): sessions listed and
// ended, passwords set and reset, accounts deleted; run against SqlStore on every engine.

namespace tfzo {
namespace {

using namespace ::tfzo::testing;  // NOLINT: test records

class CredentialsTest : public StoreTest {
 protected:
  void AddSession(const std::string& token, const std::string& account, int seen) {
    SessionRecord s{.token_digest = Sha256(token),
                    .account_id = account,
                    .csrf_token = "c",
                    .created_at = kT0,
                    .last_seen_at = At(seen),
                    .id = "ses_" + token,
                    .ip = "192.0.2.1",
                    .user_agent = "ua"};
    ASSERT_TRUE(store_->CreateSession(s, Event("ev_" + token, "session.login", account)).ok());
  }
  std::vector<std::string> SessionIds(const std::string& account) {
    std::vector<std::string> ids;
    auto sessions = store_->ListSessions(account);
    EXPECT_TRUE(sessions.ok());
    if (!sessions.ok()) return ids;
    for (const auto& s : *sessions) ids.push_back(s.id);
    return ids;
  }
  TokenRecord ResetToken(const std::string& value, const std::string& account,
                         const std::string& email) {
    return TokenRecord{.digest = Sha256(value),
                       .purpose = TokenRecord::kResetPassword,
                       .account_id = account,
                       .email = email,
                       .created_at = kT0,
                       .expires_at = At(3600)};
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

TEST_P(CredentialsTest, SessionsAreListedAndEndedPerAccount) {
  AddSession("s1", "acc_a", 10);
  AddSession("s2", "acc_a", 30);
  AddSession("s3", "acc_a", 20);
  AddSession("sb", "acc_b", 10);
  EXPECT_EQ(SessionIds("acc_a"), (std::vector<std::string>{"ses_s2", "ses_s3", "ses_s1"}));
  auto listed = store_->ListSessions("acc_a");
  EXPECT_EQ((*listed)[0].ip, "192.0.2.1");
  EXPECT_EQ((*listed)[0].user_agent, "ua");
  EXPECT_EQ((*listed)[0].last_seen_at, At(30));

  // Another account's session is not found, and stays.
  EXPECT_EQ(store_->EndSession("acc_a", "ses_sb", Event("ev_x", "session.revoked", "acc_a")).code(),
            StatusCode::kNotFound);
  EXPECT_TRUE(store_->FindSession(Sha256("sb")).ok());
  ASSERT_TRUE(
      store_->EndSession("acc_a", "ses_s3", Event("ev_r", "session.revoked", "acc_a")).ok());
  EXPECT_EQ(store_->FindSession(Sha256("s3")).status().code(), StatusCode::kNotFound);

  ASSERT_TRUE(store_
                  ->EndOtherSessions("acc_a", Sha256("s2"),
                                     Event("ev_o", "session.revoked_others", "acc_a"))
                  .ok());
  EXPECT_EQ(SessionIds("acc_a"), std::vector<std::string>{"ses_s2"});
  EXPECT_EQ(SessionIds("acc_b"), std::vector<std::string>{"ses_sb"});
  ASSERT_TRUE(store_
                  ->EndOtherSessions("acc_a", std::nullopt,
                                     Event("ev_o2", "session.revoked_others", "acc_a"))
                  .ok());
  EXPECT_TRUE(SessionIds("acc_a").empty());
  const auto events = EventsOf("acc_a");
  EXPECT_EQ(events.back(), "ev_o2");
  EXPECT_EQ(std::count(events.begin(), events.end(), "ev_x"), 0);  // refused: not written
}

TEST_P(CredentialsTest, SetPasswordKeepsOneSessionAndVoidsResetLinks) {
  AddSession("s1", "acc_a", 10);
  AddSession("s2", "acc_a", 20);
  AddSession("sb", "acc_b", 10);
  ASSERT_TRUE(store_
                  ->CreateToken(ResetToken("reset1", "acc_a", "a@example.com"),
                                Event("ev_t", "account.password_reset_requested", std::nullopt))
                  .ok());
  ASSERT_TRUE(store_
                  ->SetPassword("acc_a", "new-hash", Sha256("s2"),
                                Event("ev_p", "account.password_changed", "acc_a"))
                  .ok());
  EXPECT_EQ(store_->FindAccount("acc_a")->password_hash, "new-hash");
  EXPECT_EQ(SessionIds("acc_a"), std::vector<std::string>{"ses_s2"});
  EXPECT_EQ(SessionIds("acc_b"), std::vector<std::string>{"ses_sb"});
  EXPECT_EQ(store_
                ->ResetPassword(Sha256("reset1"), "other", At(5),
                                Event("ev_r", "account.password_reset", "acc_a"))
                .status()
                .code(),
            StatusCode::kInvalidToken);
  EXPECT_EQ(store_->SetPassword("acc_zzz", "h", std::nullopt, Event("ev_z", "x", "acc_zzz")).code(),
            StatusCode::kNotFound);
}

TEST_P(CredentialsTest, ResetPasswordUsesItsTokenOnceAndEndsEverySession) {
  AddSession("s1", "acc_a", 10);
  ASSERT_TRUE(store_
                  ->CreateToken(ResetToken("reset1", "acc_a", "a@example.com"),
                                Event("ev_t", "account.password_reset_requested", std::nullopt))
                  .ok());
  // A verification token is not a reset token.
  TokenRecord verify = ResetToken("verify1", "acc_a", "a@example.com");
  verify.purpose = TokenRecord::kVerifyEmail;
  ASSERT_TRUE(store_->CreateToken(verify, Event("ev_v", "x", std::nullopt)).ok());
  EXPECT_EQ(store_->ResetPassword(Sha256("verify1"), "h", At(5), Event("ev_r0", "x", "acc_a"))
                .status()
                .code(),
            StatusCode::kInvalidToken);
  // Expired.
  EXPECT_EQ(store_->ResetPassword(Sha256("reset1"), "h", At(3600), Event("ev_r1", "x", "acc_a"))
                .status()
                .code(),
            StatusCode::kInvalidToken);

  auto reset = store_->ResetPassword(Sha256("reset1"), "new-hash", At(5),
                                     Event("ev_r2", "account.password_reset", "acc_a"));
  ASSERT_TRUE(reset.ok()) << reset.status().message();
  EXPECT_EQ(reset->email, "a@example.com");
  EXPECT_EQ(store_->FindAccount("acc_a")->password_hash, "new-hash");
  EXPECT_TRUE(SessionIds("acc_a").empty());
  EXPECT_EQ(store_->ResetPassword(Sha256("reset1"), "again", At(6), Event("ev_r3", "x", "acc_a"))
                .status()
                .code(),
            StatusCode::kInvalidToken);
  EXPECT_EQ(store_->FindAccount("acc_a")->password_hash, "new-hash");

  // A link mailed to an address the account has left since proves nothing.
  ASSERT_TRUE(store_
                  ->CreateToken(ResetToken("reset2", "acc_b", "old-b@example.com"),
                                Event("ev_t2", "x", std::nullopt))
                  .ok());
  EXPECT_EQ(store_->ResetPassword(Sha256("reset2"), "h", At(5), Event("ev_r4", "x", "acc_b"))
                .status()
                .code(),
            StatusCode::kInvalidToken);
}

TEST_P(CredentialsTest, DeleteAccountRevokesKeysLeavesOrgsAndFreesTheAddress) {
  // org_solo: acc_a alone (deleted with it). org_shared: acc_b owns it, acc_a a member.
  ASSERT_TRUE(
      store_
          ->CreateOrg({.id = "org_solo", .name = "Solo", .created_at = kT0, .handle = "solo"},
                      "acc_a", Event("ev_o1", "org.created", "acc_a", "org_solo"))
          .ok());
  ASSERT_TRUE(
      store_
          ->CreateOrg({.id = "org_shared", .name = "Shared", .created_at = kT0, .handle = "shared"},
                      "acc_b", Event("ev_o2", "org.created", "acc_b", "org_shared"))
          .ok());
  ASSERT_TRUE(store_
                  ->AddMember("org_shared", "acc_a", Role::kMember,
                              Event("ev_m", "org.member_added", "acc_b", "org_shared"))
                  .ok());
  ASSERT_TRUE(store_
                  ->CreateKey(Key("key_1", "acc_a"), Secret("tfzo_secret1AAAA", "key_1"),
                              Event("ev_k1", "key.created", "acc_a"))
                  .ok());
  ASSERT_TRUE(store_
                  ->CreateKey(Key("key_2", "acc_a", kT0, "org_solo"),
                              Secret("tfzo_secret2BBBB", "key_2"),
                              Event("ev_k2", "key.created", "acc_a"))
                  .ok());
  AddSession("s1", "acc_a", 10);
  Listen();

  ASSERT_TRUE(
      store_->DeleteAccount("acc_a", At(50), Event("ev_del", "account.deleted", "acc_a")).ok());
  for (const char* secret : {"tfzo_secret1AAAA", "tfzo_secret2BBBB"}) {
    auto state = store_->FindKeyBySecret(Sha256(secret));
    ASSERT_TRUE(state.ok());
    EXPECT_EQ(state->key_revoked_at, At(50));
    EXPECT_EQ(state->secret_revoked_at, At(50));
  }
  EXPECT_TRUE(SessionIds("acc_a").empty());
  EXPECT_EQ(store_->FindOrg("org_solo").status().code(), StatusCode::kNotFound);
  EXPECT_TRUE(store_->FindOrg("org_shared").ok());
  EXPECT_EQ(store_->ListMembers("org_shared")->size(), 1u);
  EXPECT_TRUE(store_->ListMemberships("acc_a")->empty());
  auto gone = store_->FindAccount("acc_a");
  ASSERT_TRUE(gone.ok());  // the row stays for the audit log
  EXPECT_EQ(gone->email, DeletedEmail("acc_a"));
  EXPECT_EQ(gone->password_hash, "");
  EXPECT_EQ(store_->FindAccountByEmail("a@example.com").status().code(), StatusCode::kNotFound);
  // Every node hears each key, each membership and the account.
  int keys = 0, memberships = 0, accounts = 0;
  for (const Change& c : Heard()) {
    keys += c.kind == Change::Kind::kKey;
    memberships += c.kind == Change::Kind::kMembership;
    accounts += c.kind == Change::Kind::kAccount && c.account_id == "acc_a";
  }
  EXPECT_EQ(keys, 2);
  EXPECT_EQ(memberships, 2);
  EXPECT_EQ(accounts, 1);
  // The events stay, with the account's id.
  const auto events = EventsOf("acc_a");
  EXPECT_EQ(events.back(), "ev_del");
  EXPECT_EQ(events.front(), "ev_a");
  // Once only; the address is free again.
  EXPECT_EQ(store_->DeleteAccount("acc_a", At(60), Event("ev_del2", "x", "acc_a")).code(),
            StatusCode::kNotFound);
  ASSERT_TRUE(store_
                  ->CreateAccount(Account("acc_c", "a@example.com"),
                                  Event("ev_c", "account.signup", "acc_c"))
                  .ok());
}

TEST_P(CredentialsTest, TheLastOwnerOfAnOrgWithMembersIsRefused) {
  ASSERT_TRUE(store_
                  ->CreateOrg({.id = "org_1", .name = "Acme", .created_at = kT0, .handle = "acme"},
                              "acc_a", Event("ev_o1", "org.created", "acc_a", "org_1"))
                  .ok());
  ASSERT_TRUE(store_
                  ->AddMember("org_1", "acc_b", Role::kMember,
                              Event("ev_m", "org.member_added", "acc_a", "org_1"))
                  .ok());
  ASSERT_TRUE(store_
                  ->CreateKey(Key("key_1", "acc_a"), Secret("tfzo_secret1AAAA", "key_1"),
                              Event("ev_k1", "key.created", "acc_a"))
                  .ok());
  const Status refused =
      store_->DeleteAccount("acc_a", At(50), Event("ev_del", "account.deleted", "acc_a"));
  EXPECT_EQ(refused.code(), StatusCode::kConflict);
  EXPECT_NE(refused.message().find("acme"), std::string::npos);
  // Nothing changed.
  EXPECT_FALSE(store_->FindKeyBySecret(Sha256("tfzo_secret1AAAA"))->key_revoked_at.has_value());
  EXPECT_EQ(store_->FindAccount("acc_a")->email, "a@example.com");
  EXPECT_EQ(store_->ListMembers("org_1")->size(), 2u);

  // With another owner, it may go.
  ASSERT_TRUE(store_
                  ->SetMemberRole("org_1", "acc_b", Role::kOwner,
                                  Event("ev_r", "org.member_role_changed", "acc_a", "org_1"))
                  .ok());
  ASSERT_TRUE(
      store_->DeleteAccount("acc_a", At(60), Event("ev_del2", "account.deleted", "acc_a")).ok());
  EXPECT_TRUE(store_->FindOrg("org_1").ok());
  EXPECT_EQ(store_->ListMembers("org_1")->size(), 1u);
}

TFZO_INSTANTIATE_ON_EVERY_ENGINE(CredentialsTest);

}  // namespace
}  // namespace tfzo
