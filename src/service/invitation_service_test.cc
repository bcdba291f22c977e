// Invitations at the service layer (docs/spec/API.md "Console: invitations"): a real SQLite store
// in memory, a fake clock, the key verifier over it.

#include "service/invitation_service.h"

#include <gtest/gtest.h>

#include "testing/service_world.h"

namespace tfzo {
namespace {

using std::chrono::days;

class InvitationServiceTest : public testing::ServiceWorld {
 protected:
  InvitationServiceTest() {
    ada_ = NewVerifiedAccount("ada@example.com");
    acme_ = orgs_.CreateOrg(ada_, "Acme")->org_id;
  }

  Caller ada_;
  std::string acme_;
};

TEST_F(InvitationServiceTest, TheAnswerIsTheSameWhetherOrNotTheAddressHasAnAccount) {
  NewAccount("bob@example.com");
  auto to_account = invitations_.Invite(ada_, acme_, "Bob@Example.com", Role::kMember);
  auto to_nobody = invitations_.Invite(ada_, acme_, "nobody@example.com", Role::kOwner);
  ASSERT_TRUE(to_account.ok() && to_nobody.ok());
  EXPECT_EQ(to_account->email, "bob@example.com");
  for (const InvitationRecord* i : {&*to_account, &*to_nobody}) {
    EXPECT_EQ(i->org_name, "Acme");
    EXPECT_EQ(i->invited_by_email, "ada@example.com");
    EXPECT_EQ(i->expires_at, clock_.Now() + days(7));
    EXPECT_EQ(i->StatusAt(clock_.Now()), InvitationRecord::Status::kPending);
  }
  auto listed = invitations_.ListForOrg(ada_, acme_);
  ASSERT_TRUE(listed.ok());
  EXPECT_EQ(listed->size(), 2u);
}

TEST_F(InvitationServiceTest, TheAddressIsMailedWhoInvitedItWhereWithALinkAndNoClientAddress) {
  const Time now = clock_.Now();
  while (store_->ClaimMail(now, now + std::chrono::hours(1))->has_value()) {
  }
  ASSERT_TRUE(invitations_.Invite(ada_, acme_, "bob@example.com", Role::kOwner).ok());
  auto queued = store_->ClaimMail(now, now + std::chrono::hours(1));
  ASSERT_TRUE(queued.ok() && queued->has_value());
  const MailMessage& mail = (*queued)->message;
  EXPECT_EQ(mail.to, "bob@example.com");
  EXPECT_NE(mail.subject.find("ada@example.com"), std::string::npos) << mail.subject;
  EXPECT_NE(mail.subject.find("Acme"), std::string::npos) << mail.subject;
  EXPECT_NE(mail.text.find(kConsoleUrl + "/#/invitations"), std::string::npos) << mail.text;
  EXPECT_NE(mail.text.find("an owner"), std::string::npos) << mail.text;
  EXPECT_EQ(mail.text.find(kIp), std::string::npos) << "the inviter's address stays private";
}

TEST_F(InvitationServiceTest, OnlyOwnersWithAVerifiedAddressInvite) {
  Caller bob = NewVerifiedAccount("bob@example.com");
  ASSERT_TRUE(Join(ada_, acme_, bob).ok());
  EXPECT_EQ(invitations_.Invite(bob, acme_, "carol@example.com", Role::kMember).status().code(),
            StatusCode::kForbidden);
  EXPECT_EQ(invitations_.ListForOrg(bob, acme_).status().code(), StatusCode::kForbidden);
  Caller unverified = NewAccount("carol@example.com");
  auto own = orgs_.CreateOrg(unverified, "Carol's");
  ASSERT_TRUE(own.ok());
  const Status s =
      invitations_.Invite(unverified, own->org_id, "dan@example.com", Role::kMember).status();
  EXPECT_EQ(s.code(), StatusCode::kForbidden);
  EXPECT_NE(s.message().find("Verify"), std::string::npos);
}

TEST_F(InvitationServiceTest, AcceptingMakesAMemberWhoseKeyReachesTheOrgAtOnce) {
  Caller bob = NewVerifiedAccount("bob@example.com");
  auto bobs_key = keys_.Create(bob, {"all", "", std::nullopt, std::nullopt});
  ASSERT_TRUE(bobs_key.ok());
  auto state = verifier_.Verify(bobs_key->secret.reveal());
  ASSERT_TRUE(state.ok());
  EXPECT_EQ(verifier_.CheckOrgAccess(*state, acme_).code(), StatusCode::kForbidden);

  auto invitation = invitations_.Invite(ada_, acme_, "bob@example.com", Role::kOwner);
  ASSERT_TRUE(invitation.ok());
  auto mine = invitations_.ListMine(bob);
  ASSERT_TRUE(mine.ok());
  ASSERT_EQ(mine->size(), 1u);
  EXPECT_EQ((*mine)[0].id, invitation->id);
  auto joined = invitations_.Accept(bob, invitation->id);
  ASSERT_TRUE(joined.ok()) << joined.status().message();
  EXPECT_EQ(joined->org_id, acme_);
  EXPECT_EQ(joined->role, Role::kOwner);
  EXPECT_TRUE(verifier_.CheckOrgAccess(*state, acme_).ok());
  EXPECT_TRUE(invitations_.ListMine(bob)->empty());
  EXPECT_TRUE(invitations_.ListForOrg(ada_, acme_)->empty());
  EXPECT_EQ(invitations_.Accept(bob, invitation->id).status().code(), StatusCode::kConflict);
  // A member's address cannot be invited again.
  EXPECT_EQ(invitations_.Invite(ada_, acme_, "bob@example.com", Role::kMember).status().code(),
            StatusCode::kConflict);
}

// The impostor case: an account that has the invited address without having verified it does
// not see the invitation, cannot accept or decline it, and is told it does not exist.
TEST_F(InvitationServiceTest, AnUnverifiedAccountWithTheAddressNeitherSeesNorAcceptsIt) {
  Caller impostor = NewAccount("new.hire@corp.example");
  auto invitation = invitations_.Invite(ada_, acme_, "new.hire@corp.example", Role::kMember);
  ASSERT_TRUE(invitation.ok());
  EXPECT_TRUE(invitations_.ListMine(impostor)->empty());
  const Status accept = invitations_.Accept(impostor, invitation->id).status();
  const Status unknown = invitations_.Accept(impostor, "inv_doesnotexist").status();
  EXPECT_EQ(accept.code(), StatusCode::kNotFound);
  EXPECT_EQ(accept.message(), unknown.message());
  EXPECT_EQ(invitations_.Decline(impostor, invitation->id).code(), StatusCode::kNotFound);
  EXPECT_FALSE(store_->FindRole(acme_, impostor.account_id)->has_value());
  // Someone else's verified account neither.
  Caller bob = NewVerifiedAccount("bob@example.com");
  EXPECT_EQ(invitations_.Accept(bob, invitation->id).status().code(), StatusCode::kNotFound);
  // Once the address is proven, the invitation is there.
  Verify(impostor);
  EXPECT_EQ(invitations_.ListMine(impostor)->size(), 1u);
}

TEST_F(InvitationServiceTest, ExpiresAfterSevenDays) {
  Caller bob = NewVerifiedAccount("bob@example.com");
  auto invitation = invitations_.Invite(ada_, acme_, "bob@example.com", Role::kMember);
  ASSERT_TRUE(invitation.ok());
  clock_.Advance(days(7));
  EXPECT_TRUE(invitations_.ListMine(bob)->empty());
  const Status late = invitations_.Accept(bob, invitation->id).status();
  EXPECT_EQ(late.code(), StatusCode::kConflict);
  EXPECT_NE(late.message().find("expired"), std::string::npos);
  auto listed = invitations_.ListForOrg(ada_, acme_);
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ((*listed)[0].StatusAt(clock_.Now()), InvitationRecord::Status::kExpired);
  // An expired invitation does not stand in the way of a new one.
  EXPECT_TRUE(invitations_.Invite(ada_, acme_, "bob@example.com", Role::kMember).ok());
}

TEST_F(InvitationServiceTest, ReinvitingAPendingAddressIsRefusedUntilItIsCanceled) {
  auto first = invitations_.Invite(ada_, acme_, "bob@example.com", Role::kMember);
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(invitations_.Invite(ada_, acme_, "bob@example.com", Role::kOwner).status().code(),
            StatusCode::kConflict);
  Caller bob = NewVerifiedAccount("bob@example.com");
  EXPECT_EQ(invitations_.Cancel(bob, acme_, first->id).code(), StatusCode::kForbidden);
  auto other = orgs_.CreateOrg(ada_, "Other");
  EXPECT_EQ(invitations_.Cancel(ada_, other->org_id, first->id).code(), StatusCode::kNotFound);
  ASSERT_TRUE(invitations_.Cancel(ada_, acme_, first->id).ok());
  EXPECT_EQ(invitations_.Cancel(ada_, acme_, first->id).code(), StatusCode::kConflict);
  EXPECT_EQ(invitations_.Accept(bob, first->id).status().code(), StatusCode::kConflict);
  auto second = invitations_.Invite(ada_, acme_, "bob@example.com", Role::kOwner);
  ASSERT_TRUE(second.ok());
  ASSERT_TRUE(invitations_.Decline(bob, second->id).ok());
  EXPECT_EQ(invitations_.Accept(bob, second->id).status().code(), StatusCode::kConflict);
  EXPECT_FALSE(store_->FindRole(acme_, bob.account_id)->has_value());
}

TEST_F(InvitationServiceTest, SendingIsThrottledPerOwnerAndPerAddress) {
  FailureLimiter per_owner(clock_, 3, InvitationService::kWindow);
  FailureLimiter per_address(clock_, 2, InvitationService::kWindow);
  InvitationService limited(deps_, {.owner = &per_owner, .address = &per_address});
  auto other = orgs_.CreateOrg(ada_, "Other");
  auto third = orgs_.CreateOrg(ada_, "Third");
  ASSERT_TRUE(limited.Invite(ada_, acme_, "bob@example.com", Role::kMember).ok());
  ASSERT_TRUE(limited.Invite(ada_, other->org_id, "bob@example.com", Role::kMember).ok());
  const Status address =
      limited.Invite(ada_, third->org_id, "bob@example.com", Role::kMember).status();
  EXPECT_EQ(address.code(), StatusCode::kRateLimited);
  EXPECT_GT(address.retry_after(), 0);
  ASSERT_TRUE(limited.Invite(ada_, acme_, "carol@example.com", Role::kMember).ok());
  EXPECT_EQ(limited.Invite(ada_, acme_, "dan@example.com", Role::kMember).status().code(),
            StatusCode::kRateLimited);
  clock_.Advance(InvitationService::kWindow);
  EXPECT_TRUE(limited.Invite(ada_, acme_, "dan@example.com", Role::kMember).ok());
}

TEST_F(InvitationServiceTest, EveryStepIsAudited) {
  Caller bob = NewVerifiedAccount("bob@example.com");
  auto first = invitations_.Invite(ada_, acme_, "bob@example.com", Role::kMember);
  ASSERT_TRUE(invitations_.Decline(bob, first->id).ok());
  auto second = invitations_.Invite(ada_, acme_, "bob@example.com", Role::kMember);
  ASSERT_TRUE(invitations_.Cancel(ada_, acme_, second->id).ok());
  auto third = invitations_.Invite(ada_, acme_, "bob@example.com", Role::kMember);
  ASSERT_TRUE(invitations_.Accept(bob, third->id).ok());
  auto events = store_->ListEvents(ada_.account_id, 100, std::nullopt);
  ASSERT_TRUE(events.ok());
  std::vector<std::string> actions;
  for (const auto& e : *events) {
    if (e.action.starts_with("org.invitation")) actions.insert(actions.begin(), e.action);
  }
  EXPECT_EQ(actions,
            (std::vector<std::string>{"org.invitation_created", "org.invitation_declined",
                                      "org.invitation_created", "org.invitation_canceled",
                                      "org.invitation_created", "org.invitation_accepted"}));
}

}  // namespace
}  // namespace tfzo
