// Service accounts at the service layer (docs/spec/API.md "Console: service accounts"): a real
// SQLite store in memory, a fake clock, the key verifier over it.

#include "service/service_account_service.h"

#include <gtest/gtest.h>

#include "testing/service_world.h"

namespace tfzo {
namespace {

// A key named `name`, scoped to `org_id` if given, never expiring.
KeyService::CreateRequest Named(std::string name,
                                std::optional<std::string> org_id = std::nullopt) {
  return KeyService::CreateRequest{.name = std::move(name),
                                   .description = "",
                                   .expires_at = std::nullopt,
                                   .org_id = std::move(org_id)};
}

class ServiceAccountServiceTest : public testing::ServiceWorld {
 protected:
  ServiceAccountServiceTest() : service_accounts_(deps_, keys_) {
    ada_ = NewVerifiedAccount("ada@example.com");
    acme_ = orgs_.CreateOrg(ada_, "Acme")->org_id;
  }

  ServiceAccountService service_accounts_;
  Caller ada_;
  std::string acme_;
};

TEST_F(ServiceAccountServiceTest, ItsKeyReachesItsOrgOnlyAndOutlivesItsCreator) {
  Caller bob = NewVerifiedAccount("bob@example.com", "Bob");
  ASSERT_TRUE(Join(ada_, acme_, bob, Role::kOwner).ok());
  auto other = orgs_.CreateOrg(ada_, "Other");
  ASSERT_TRUE(other.ok());

  auto ci = service_accounts_.Create(bob, acme_, "CI", "deploys");
  ASSERT_TRUE(ci.ok()) << ci.status().message();
  KeyService::CreateRequest request = Named("deploy", other->org_id);  // the org is ignored
  auto issued = service_accounts_.CreateKey(bob, acme_, ci->id, request);
  ASSERT_TRUE(issued.ok()) << issued.status().message();
  EXPECT_EQ(issued->key.account_id, ci->id);
  EXPECT_EQ(issued->key.org_id, acme_);
  EXPECT_EQ(issued->key.service_account_name, "CI");

  auto state = verifier_.Verify(issued->secret.reveal());
  ASSERT_TRUE(state.ok());
  EXPECT_TRUE(verifier_.CheckOrgAccess(*state, acme_).ok());
  EXPECT_EQ(verifier_.CheckOrgAccess(*state, other->org_id).code(), StatusCode::kForbidden);

  // Its creator leaves: the key still works.
  ASSERT_TRUE(orgs_.RemoveMember(bob, acme_, bob.account_id).ok());
  state = verifier_.Verify(issued->secret.reveal());
  ASSERT_TRUE(state.ok());
  EXPECT_TRUE(verifier_.CheckOrgAccess(*state, acme_).ok());

  // Rotated: the old value dies; revoked: the new one too.
  auto rotated = service_accounts_.RotateKey(ada_, acme_, ci->id, issued->key.id, std::nullopt);
  ASSERT_TRUE(rotated.ok()) << rotated.status().message();
  EXPECT_EQ(verifier_.Verify(issued->secret.reveal()).status().code(), StatusCode::kKeyRevoked);
  ASSERT_TRUE(verifier_.Verify(rotated->secret.reveal()).ok());
  ASSERT_TRUE(service_accounts_.RevokeKey(ada_, acme_, ci->id, issued->key.id).ok());
  EXPECT_EQ(verifier_.Verify(rotated->secret.reveal()).status().code(), StatusCode::kKeyRevoked);
}

TEST_F(ServiceAccountServiceTest, DeletingItRevokesItsKeysAtOnce) {
  auto ci = service_accounts_.Create(ada_, acme_, "CI", "");
  ASSERT_TRUE(ci.ok());
  auto one = service_accounts_.CreateKey(ada_, acme_, ci->id, Named("one"));
  auto two = service_accounts_.CreateKey(ada_, acme_, ci->id, Named("two"));
  ASSERT_TRUE(one.ok() && two.ok());
  ASSERT_TRUE(verifier_.Verify(one->secret.reveal()).ok());  // cached
  ASSERT_TRUE(service_accounts_.Delete(ada_, acme_, ci->id).ok());
  EXPECT_EQ(verifier_.Verify(one->secret.reveal()).status().code(), StatusCode::kKeyRevoked);
  EXPECT_EQ(verifier_.Verify(two->secret.reveal()).status().code(), StatusCode::kKeyRevoked);
  EXPECT_TRUE(service_accounts_.List(ada_, acme_)->empty());
  EXPECT_EQ(service_accounts_.Delete(ada_, acme_, ci->id).code(), StatusCode::kNotFound);
  EXPECT_EQ(service_accounts_.ListKeys(ada_, acme_, ci->id).status().code(), StatusCode::kNotFound);
}

TEST_F(ServiceAccountServiceTest, OnlyOwnersAndOnlyTheirOrgsServiceAccounts) {
  Caller bob = NewVerifiedAccount("bob@example.com", "Bob");
  ASSERT_TRUE(Join(ada_, acme_, bob, Role::kMember).ok());
  Caller eve = NewVerifiedAccount("eve@example.com", "Eve");
  auto evil = orgs_.CreateOrg(eve, "Evil");
  auto ci = service_accounts_.Create(ada_, acme_, "CI", "");
  ASSERT_TRUE(ci.ok() && evil.ok());
  auto key = service_accounts_.CreateKey(ada_, acme_, ci->id, Named("k"));
  ASSERT_TRUE(key.ok());

  EXPECT_EQ(service_accounts_.Create(bob, acme_, "x", "").status().code(), StatusCode::kForbidden);
  EXPECT_EQ(service_accounts_.List(bob, acme_).status().code(), StatusCode::kForbidden);
  EXPECT_EQ(service_accounts_.Delete(bob, acme_, ci->id).code(), StatusCode::kForbidden);
  EXPECT_EQ(service_accounts_.List(eve, acme_).status().code(), StatusCode::kForbidden);
  EXPECT_EQ(service_accounts_.List(ada_, "org_nope").status().code(), StatusCode::kForbidden);
  // Eve owns her org, not this service account: it is not found there.
  EXPECT_EQ(service_accounts_.Delete(eve, evil->org_id, ci->id).code(), StatusCode::kNotFound);
  EXPECT_EQ(service_accounts_.RevokeKey(eve, evil->org_id, ci->id, key->key.id).status().code(),
            StatusCode::kNotFound);
  // A person's key is not the service account's.
  auto own = keys_.Create(ada_, Named("mine", acme_));
  ASSERT_TRUE(own.ok());
  EXPECT_EQ(service_accounts_.RevokeKey(ada_, acme_, ci->id, own->key.id).status().code(),
            StatusCode::kNotFound);
  // Bad input names the field.
  auto blank = service_accounts_.Create(ada_, acme_, "", "");
  EXPECT_EQ(blank.status().code(), StatusCode::kInvalidRequest);
  EXPECT_NE(blank.status().message().find("name"), std::string::npos);

  // Audit: created and deleted, by the owner, in the org.
  ASSERT_TRUE(service_accounts_.Delete(ada_, acme_, ci->id).ok());
  auto events = store_->ListEvents(ada_.account_id, 100, std::nullopt);
  ASSERT_TRUE(events.ok());
  bool created = false, deleted = false;
  for (const EventRecord& e : *events) {
    if (e.target_id != ci->id) continue;
    created |= e.action == "service_account.created";
    deleted |= e.action == "service_account.deleted";
    EXPECT_EQ(e.org_id, acme_);
  }
  EXPECT_TRUE(created && deleted);
}

}  // namespace
}  // namespace tfzo
