#include <gtest/gtest.h>

#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "core/digest.h"
#include "store/store_test.h"
#include "store/store_test_util.h"

// Verified addresses and invitations: their part of the Store contract (see store_test.cc),
// run against SqlStore on every engine.

namespace tfzo {
namespace {

using namespace ::tfzo::testing;  // NOLINT: test records

TokenRecord Token(std::string_view value, std::string account_id, std::string email,
                  const char* purpose = TokenRecord::kVerifyEmail, Time created_at = kT0) {
  return TokenRecord{.digest = Sha256(value),
                     .purpose = purpose,
                     .account_id = std::move(account_id),
                     .email = std::move(email),
                     .created_at = created_at,
                     .expires_at = created_at + std::chrono::hours(24)};
}

InvitationRecord Invitation(std::string id, std::string email, Time created_at = kT0) {
  return InvitationRecord{.id = std::move(id),
                          .org_id = "org_1",
                          .email = std::move(email),
                          .role = Role::kMember,
                          .invited_by = "acc_a",
                          .created_at = created_at,
                          .expires_at = created_at + std::chrono::days(7)};
}

class VerificationTest : public StoreTest {
 protected:
  // Every change the store publishes.
  std::vector<Change> Published() {
    std::lock_guard lock(mu_);
    return changes_;
  }
  void Listen() {
    store_->SetChangeListener([this](const Change& c) {
      std::lock_guard lock(mu_);
      changes_.push_back(c);
    });
  }
  void TearDown() override {
    store_->SetChangeListener(nullptr);
    StoreTest::TearDown();
  }

  std::mutex mu_;
  std::vector<Change> changes_;
};

TEST_P(VerificationTest, SignUpStoresOnlyTheTokensDigestAndAccountsStartUnverified) {
  ASSERT_TRUE(store_
                  ->CreateAccountWithToken(Account("acc_c", "C@example.com"),
                                           Token("token-c", "acc_c", "c@example.com"),
                                           Event("ev_c", "account.signup", "acc_c"))
                  .ok());
  auto account = store_->FindAccount("acc_c");
  ASSERT_TRUE(account.ok());
  EXPECT_FALSE(account->email_verified_at.has_value());
  EXPECT_FALSE(account->pending_email.has_value());
  auto token = store_->FindToken(Sha256("token-c"));
  ASSERT_TRUE(token.ok());
  EXPECT_EQ(token->purpose, "verify_email");
  EXPECT_EQ(token->email, "c@example.com");
  EXPECT_EQ(token->expires_at, At(24 * 3600));
  EXPECT_FALSE(token->used_at.has_value());
  EXPECT_EQ(store_->FindToken(Sha256("token-x")).status().code(), StatusCode::kNotFound);
  // A taken address writes nothing: no account, no token.
  EXPECT_EQ(store_
                ->CreateAccountWithToken(Account("acc_d", "a@example.com"),
                                         Token("token-d", "acc_d", "a@example.com"),
                                         Event("ev_d", "account.signup", "acc_d"))
                .code(),
            StatusCode::kEmailTaken);
  EXPECT_EQ(store_->FindToken(Sha256("token-d")).status().code(), StatusCode::kNotFound);
}

TEST_P(VerificationTest, AVerifyTokenWorksOnceAndNotAfterItExpires) {
  ASSERT_TRUE(store_
                  ->CreateToken(Token("once", "acc_a", "a@example.com"),
                                Event("ev_t", "account.email_verification_sent", "acc_a"))
                  .ok());
  Listen();
  auto verified = store_->UseVerifyToken(Sha256("once"), At(60),
                                         Event("ev_v", "account.email_verified", "acc_a"));
  ASSERT_TRUE(verified.ok()) << verified.status().message();
  EXPECT_EQ(verified->email_verified_at, At(60));
  EXPECT_EQ(store_->FindToken(Sha256("once"))->used_at, At(60));
  EXPECT_EQ(
      store_->UseVerifyToken(Sha256("once"), At(61), Event("ev_v2", "x", "acc_a")).status().code(),
      StatusCode::kInvalidToken);
  ASSERT_EQ(Published().size(), 1u);
  EXPECT_EQ(Published()[0].kind, Change::Kind::kAccount);
  EXPECT_EQ(Published()[0].account_id, "acc_a");

  ASSERT_TRUE(store_
                  ->CreateToken(Token("late", "acc_b", "b@example.com"),
                                Event("ev_t2", "account.email_verification_sent", "acc_b"))
                  .ok());
  EXPECT_EQ(store_->UseVerifyToken(Sha256("late"), At(24 * 3600), Event("ev_v3", "x", "acc_b"))
                .status()
                .code(),
            StatusCode::kInvalidToken);
  EXPECT_FALSE(store_->FindAccount("acc_b")->email_verified_at.has_value());
  // A claim token does not verify an account.
  ASSERT_TRUE(store_
                  ->CreateToken(Token("claim", "acc_b", "b@example.com", TokenRecord::kClaimEmail),
                                Event("ev_t3", "account.email_verification_sent", std::nullopt))
                  .ok());
  EXPECT_EQ(
      store_->UseVerifyToken(Sha256("claim"), At(1), Event("ev_v4", "x", "acc_b")).status().code(),
      StatusCode::kInvalidToken);
  EXPECT_EQ(EventsOf("acc_a"), (std::vector<std::string>{"ev_a", "ev_t", "ev_v"}));
}

TEST_P(VerificationTest, AnAddressChangeWaitsForItsLinkThenSwaps) {
  ASSERT_TRUE(store_
                  ->RequestEmailChange(Token("change", "acc_a", "New@example.com"),
                                       Event("ev_r", "account.email_change_requested", "acc_a"))
                  .ok());
  auto pending = store_->FindAccount("acc_a");
  EXPECT_EQ(pending->email, "a@example.com");
  EXPECT_EQ(pending->pending_email, "new@example.com");
  auto done = store_->UseVerifyToken(Sha256("change"), At(5),
                                     Event("ev_v", "account.email_verified", "acc_a"));
  ASSERT_TRUE(done.ok()) << done.status().message();
  EXPECT_EQ(done->email, "new@example.com");
  EXPECT_FALSE(done->pending_email.has_value());
  EXPECT_EQ(done->email_verified_at, At(5));
  EXPECT_EQ(store_->FindAccountByEmail("new@example.com")->id, "acc_a");
  EXPECT_EQ(store_->FindAccountByEmail("a@example.com").status().code(), StatusCode::kNotFound);
}

TEST_P(VerificationTest, ALinkForAnAddressTheAccountLeftProvesNothing) {
  ASSERT_TRUE(store_
                  ->RequestEmailChange(Token("first", "acc_a", "one@example.com"),
                                       Event("ev_r1", "account.email_change_requested", "acc_a"))
                  .ok());
  ASSERT_TRUE(store_
                  ->RequestEmailChange(Token("second", "acc_a", "two@example.com"),
                                       Event("ev_r2", "account.email_change_requested", "acc_a"))
                  .ok());
  EXPECT_EQ(
      store_->UseVerifyToken(Sha256("first"), At(1), Event("ev_v", "x", "acc_a")).status().code(),
      StatusCode::kInvalidToken);
  EXPECT_EQ(store_->FindAccount("acc_a")->email, "a@example.com");
}

TEST_P(VerificationTest, AVerifiedAddressIsTakenAndAnUnverifiedOneIsReleasedToWhoeverProvesIt) {
  // B verifies its address: A cannot have it.
  ASSERT_TRUE(
      store_->CreateToken(Token("b", "acc_b", "b@example.com"), Event("e1", "x", "acc_b")).ok());
  ASSERT_TRUE(store_->UseVerifyToken(Sha256("b"), At(1), Event("e2", "x", "acc_b")).ok());
  EXPECT_EQ(store_
                ->RequestEmailChange(Token("a-to-b", "acc_a", "b@example.com"),
                                     Event("e3", "account.email_change_requested", "acc_a"))
                .code(),
            StatusCode::kEmailTaken);

  // C has c@ unverified; A asks for it and proves it: C loses it.
  ASSERT_TRUE(
      store_->CreateAccount(Account("acc_c", "c@example.com"), Event("e4", "x", "acc_c")).ok());
  ASSERT_TRUE(store_
                  ->RequestEmailChange(Token("a-to-c", "acc_a", "c@example.com"),
                                       Event("e5", "account.email_change_requested", "acc_a"))
                  .ok());
  Listen();
  auto done = store_->UseVerifyToken(Sha256("a-to-c"), At(2), Event("e6", "x", "acc_a"));
  ASSERT_TRUE(done.ok()) << done.status().message();
  EXPECT_EQ(done->email, "c@example.com");
  auto released = store_->FindAccount("acc_c");
  EXPECT_EQ(released->email, ReleasedEmail("acc_c"));
  EXPECT_TRUE(IsReleasedEmail(released->email));
  const auto changes = Published();
  ASSERT_EQ(changes.size(), 2u);
  EXPECT_EQ(changes[0].account_id, "acc_c");
  EXPECT_EQ(changes[1].account_id, "acc_a");
}

TEST_P(VerificationTest, AClaimSignUpTakesAnUnverifiedAddressOnly) {
  const auto claim = [&](std::string_view token, std::string id, std::string email) {
    return store_->CreateAccountClaiming(Account(id, email), Sha256(token),
                                         Event("ev_" + id, "account.signup", id));
  };
  ASSERT_TRUE(
      store_
          ->CreateToken(Token("claim-a", "acc_a", "a@example.com", TokenRecord::kClaimEmail),
                        Event("e1", "account.email_verification_sent", std::nullopt))
          .ok());
  // For another address, or an unknown token: refused, and the token stays unused.
  EXPECT_EQ(claim("claim-a", "acc_x", "x@example.com").code(), StatusCode::kInvalidToken);
  EXPECT_EQ(claim("nope", "acc_x", "a@example.com").code(), StatusCode::kInvalidToken);
  ASSERT_TRUE(claim("claim-a", "acc_new", "A@example.com").ok());
  auto claimed = store_->FindAccountByEmail("a@example.com");
  ASSERT_TRUE(claimed.ok());
  EXPECT_EQ(claimed->id, "acc_new");
  EXPECT_EQ(claimed->email_verified_at, kT0);
  EXPECT_EQ(store_->FindAccount("acc_a")->email, ReleasedEmail("acc_a"));
  EXPECT_EQ(claim("claim-a", "acc_y", "a@example.com").code(), StatusCode::kInvalidToken);

  // A verified holder keeps it.
  ASSERT_TRUE(
      store_
          ->CreateToken(Token("claim-new", "acc_new", "a@example.com", TokenRecord::kClaimEmail),
                        Event("e2", "account.email_verification_sent", std::nullopt))
          .ok());
  EXPECT_EQ(claim("claim-new", "acc_z", "a@example.com").code(), StatusCode::kEmailTaken);
  EXPECT_EQ(store_->FindAccount("acc_z").status().code(), StatusCode::kNotFound);
}

class InvitationsTest : public VerificationTest {
 protected:
  void SetUp() override {
    VerificationTest::SetUp();
    if (HasFatalFailure()) return;
    ASSERT_TRUE(store_
                    ->CreateOrg({.id = "org_1", .name = "One", .created_at = kT0}, "acc_a",
                                Event("ev_o1", "org.created", "acc_a", "org_1"))
                    .ok());
    ASSERT_TRUE(
        store_->CreateToken(Token("vb", "acc_b", "b@example.com"), Event("ev_t", "x", "acc_b"))
            .ok());
    ASSERT_TRUE(store_->UseVerifyToken(Sha256("vb"), kT0, Event("ev_vb", "x", "acc_b")).ok());
  }
};

TEST_P(InvitationsTest, CreateListAndTheOnePendingRule) {
  ASSERT_TRUE(store_
                  ->CreateInvitation(Invitation("inv_1", "B@example.com"),
                                     Event("e1", "org.invitation_created", "acc_a", "org_1"))
                  .ok());
  auto found = store_->FindInvitation("inv_1");
  ASSERT_TRUE(found.ok());
  EXPECT_EQ(found->email, "b@example.com");
  EXPECT_EQ(found->org_name, "One");
  EXPECT_FALSE(found->org_handle.empty());
  EXPECT_EQ(found->invited_by_email, "a@example.com");
  EXPECT_EQ(found->StatusAt(kT0), InvitationRecord::Status::kPending);
  EXPECT_EQ(found->StatusAt(At(7 * 86400)), InvitationRecord::Status::kExpired);

  // One pending invitation per address and org; a member's address gets none.
  EXPECT_EQ(store_
                ->CreateInvitation(Invitation("inv_2", "b@example.com", At(10)),
                                   Event("e2", "org.invitation_created", "acc_a", "org_1"))
                .code(),
            StatusCode::kConflict);
  EXPECT_EQ(store_
                ->CreateInvitation(Invitation("inv_3", "a@example.com"),
                                   Event("e3", "org.invitation_created", "acc_a", "org_1"))
                .code(),
            StatusCode::kConflict);
  // Once it expired, the address may be invited again.
  ASSERT_TRUE(store_
                  ->CreateInvitation(Invitation("inv_4", "b@example.com", At(7 * 86400)),
                                     Event("e4", "org.invitation_created", "acc_a", "org_1"))
                  .ok());
  auto listed = store_->ListOrgInvitations("org_1");
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(listed->size(), 2u);
  EXPECT_EQ((*listed)[0].id, "inv_4");  // newest first
  auto mine = store_->ListInvitationsTo("B@EXAMPLE.com", At(7 * 86400));
  ASSERT_TRUE(mine.ok());
  ASSERT_EQ(mine->size(), 1u);
  EXPECT_EQ((*mine)[0].id, "inv_4");
  EXPECT_EQ(store_->FindInvitation("inv_x").status().code(), StatusCode::kNotFound);
}

TEST_P(InvitationsTest, AcceptMakesAMemberOnceAndOnlyForTheVerifiedAddress) {
  ASSERT_TRUE(store_
                  ->CreateInvitation(Invitation("inv_1", "b@example.com"),
                                     Event("e1", "org.invitation_created", "acc_a", "org_1"))
                  .ok());
  // acc_a's address is not the invited one.
  EXPECT_EQ(
      store_->AcceptInvitation("inv_1", "acc_a", At(1), Event("e2", "x", "acc_a", "org_1")).code(),
      StatusCode::kNotFound);
  Listen();
  ASSERT_TRUE(store_
                  ->AcceptInvitation("inv_1", "acc_b", At(2),
                                     Event("e3", "org.invitation_accepted", "acc_b", "org_1"))
                  .ok());
  EXPECT_EQ(store_->FindRole("org_1", "acc_b")->value_or(Role::kOwner), Role::kMember);
  EXPECT_EQ(store_->FindInvitation("inv_1")->accepted_at, At(2));
  EXPECT_EQ(
      store_->AcceptInvitation("inv_1", "acc_b", At(3), Event("e4", "x", "acc_b", "org_1")).code(),
      StatusCode::kNotFound);
  const auto changes = Published();
  ASSERT_EQ(changes.size(), 1u);
  EXPECT_EQ(changes[0].kind, Change::Kind::kMembership);
  EXPECT_EQ(changes[0].org_id, "org_1");
  EXPECT_EQ(changes[0].account_id, "acc_b");
}

TEST_P(InvitationsTest, AnUnverifiedAddressCannotAcceptNorAnExpiredInvitation) {
  ASSERT_TRUE(
      store_->CreateAccount(Account("acc_c", "c@example.com"), Event("e0", "x", "acc_c")).ok());
  ASSERT_TRUE(store_
                  ->CreateInvitation(Invitation("inv_c", "c@example.com"),
                                     Event("e1", "org.invitation_created", "acc_a", "org_1"))
                  .ok());
  EXPECT_EQ(
      store_->AcceptInvitation("inv_c", "acc_c", At(1), Event("e2", "x", "acc_c", "org_1")).code(),
      StatusCode::kNotFound);
  ASSERT_TRUE(store_
                  ->CreateInvitation(Invitation("inv_b", "b@example.com"),
                                     Event("e3", "org.invitation_created", "acc_a", "org_1"))
                  .ok());
  EXPECT_EQ(
      store_->AcceptInvitation("inv_b", "acc_b", At(7 * 86400), Event("e4", "x", "acc_b", "org_1"))
          .code(),
      StatusCode::kNotFound);
  EXPECT_FALSE(store_->FindRole("org_1", "acc_b")->has_value());
}

TEST_P(InvitationsTest, DeclineAndCancelEndAPendingInvitationOnce) {
  ASSERT_TRUE(store_
                  ->CreateInvitation(Invitation("inv_1", "b@example.com"),
                                     Event("e1", "org.invitation_created", "acc_a", "org_1"))
                  .ok());
  ASSERT_TRUE(store_
                  ->EndInvitation("inv_1", Store::InvitationEnd::kDecline, At(1),
                                  Event("e2", "org.invitation_declined", "acc_b", "org_1"))
                  .ok());
  EXPECT_EQ(store_->FindInvitation("inv_1")->StatusAt(At(1)), InvitationRecord::Status::kDeclined);
  EXPECT_EQ(store_
                ->EndInvitation("inv_1", Store::InvitationEnd::kCancel, At(2),
                                Event("e3", "org.invitation_canceled", "acc_a", "org_1"))
                .code(),
            StatusCode::kNotFound);
  EXPECT_EQ(
      store_->AcceptInvitation("inv_1", "acc_b", At(3), Event("e4", "x", "acc_b", "org_1")).code(),
      StatusCode::kNotFound);
  ASSERT_TRUE(store_
                  ->CreateInvitation(Invitation("inv_2", "b@example.com", At(4)),
                                     Event("e5", "org.invitation_created", "acc_a", "org_1"))
                  .ok());
  ASSERT_TRUE(store_
                  ->EndInvitation("inv_2", Store::InvitationEnd::kCancel, At(5),
                                  Event("e6", "org.invitation_canceled", "acc_a", "org_1"))
                  .ok());
  EXPECT_EQ(store_->FindInvitation("inv_2")->StatusAt(At(5)), InvitationRecord::Status::kCanceled);
  EXPECT_TRUE(store_->ListOrgInvitations("org_1")->empty());
  EXPECT_TRUE(store_->ListInvitationsTo("b@example.com", At(5))->empty());
}

TEST_P(InvitationsTest, ADeletedOrgsInvitationsAreGoneAndCannotBeAccepted) {
  ASSERT_TRUE(store_
                  ->CreateInvitation(Invitation("inv_1", "b@example.com"),
                                     Event("e1", "org.invitation_created", "acc_a", "org_1"))
                  .ok());
  ASSERT_TRUE(store_->DeleteOrg("org_1", At(1), Event("e2", "org.deleted", "acc_a", "org_1")).ok());
  EXPECT_EQ(store_->FindInvitation("inv_1").status().code(), StatusCode::kNotFound);
  EXPECT_TRUE(store_->ListInvitationsTo("b@example.com", At(1))->empty());
  EXPECT_EQ(
      store_->AcceptInvitation("inv_1", "acc_b", At(2), Event("e3", "x", "acc_b", "org_1")).code(),
      StatusCode::kNotFound);
  EXPECT_FALSE(store_->FindRole("org_1", "acc_b")->has_value());
  EXPECT_EQ(store_
                ->CreateInvitation(Invitation("inv_2", "c@example.com", At(3)),
                                   Event("e4", "org.invitation_created", "acc_a", "org_1"))
                .code(),
            StatusCode::kNotFound);
}

TFZO_INSTANTIATE_ON_EVERY_ENGINE(VerificationTest);
TFZO_INSTANTIATE_ON_EVERY_ENGINE(InvitationsTest);

}  // namespace
}  // namespace tfzo
