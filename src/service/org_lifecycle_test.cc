// The organization lifecycle at the service layer (issue 12): handles, renames, role changes and
// deletion, over a real SQLite store in memory and the verifier's caches as the server wires them.

#include <gtest/gtest.h>

#include <regex>

#include "service/resource_service.h"
#include "testing/service_world.h"

namespace tfzo {
namespace {

class OrgLifecycleTest : public testing::ServiceWorld {
 protected:
  OrgLifecycleTest() : resources_(deps_) {}

  // Adds `who` to `org` straight through the store (how members join is not this test's concern).
  void Join(const std::string& org_id, const Caller& who, Role role) {
    ASSERT_TRUE(store_
                    ->AddMember(org_id, who.account_id, role,
                                deps_.Event("org.member_added", Caller{}, who.account_id, org_id))
                    .ok());
  }

  // The org as `who`'s cached memberships (what /api/v1/me shows) say it.
  std::optional<MembershipRecord> Cached(const Caller& who, const std::string& org_id) {
    auto memberships = verifier_.Memberships(who.account_id);
    EXPECT_TRUE(memberships.ok());
    for (const MembershipRecord& m : **memberships) {
      if (m.org_id == org_id) return m;
    }
    return std::nullopt;
  }

  std::vector<std::string> Actions(const Caller& who) {
    auto events = accounts_.ListEvents(who, 100, std::nullopt);
    EXPECT_TRUE(events.ok());
    std::vector<std::string> actions;
    if (events.ok()) {
      for (const auto& e : *events) actions.push_back(e.action);
    }
    return actions;
  }

  ResourceService resources_;
};

TEST_F(OrgLifecycleTest, CreateDerivesAHandleFromTheNameOrTakesTheOneGiven) {
  Caller ada = NewAccount("ada@example.com");
  auto acme = orgs_.CreateOrg(ada, "Acme Robotics");
  ASSERT_TRUE(acme.ok());
  EXPECT_EQ(acme->org_handle, "acme-robotics");
  EXPECT_EQ(store_->FindOrg(acme->org_id)->handle, "acme-robotics");
  // The same name again: a short suffix.
  auto again = orgs_.CreateOrg(ada, "Acme Robotics");
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(std::regex_match(again->org_handle, std::regex("acme-robotics-[a-z0-9]{4}")))
      << again->org_handle;
  EXPECT_EQ(orgs_.CreateOrg(ada, "\u65e5\u672c")->org_handle, "org");

  auto given = orgs_.CreateOrg(ada, "Anything", "acme-labs");
  ASSERT_TRUE(given.ok());
  EXPECT_EQ(given->org_handle, "acme-labs");
  // A handle given and taken is refused, not changed; an invalid one is a 400.
  EXPECT_EQ(orgs_.CreateOrg(ada, "Other", "acme-robotics").status().code(),
            StatusCode::kHandleTaken);
  EXPECT_EQ(orgs_.CreateOrg(ada, "Other", "Acme").status().code(), StatusCode::kInvalidRequest);
  EXPECT_EQ(orgs_.ListOrgs(ada)->size(), 4u);
}

TEST_F(OrgLifecycleTest, OwnersRenameAndChangeTheHandleAndEveryCacheSeesIt) {
  Caller ada = NewAccount("ada@example.com");
  Caller bob = NewAccount("bob@example.com");
  Caller eve = NewAccount("eve@example.com");
  auto acme = orgs_.CreateOrg(ada, "Acme");
  auto other = orgs_.CreateOrg(eve, "Other", "taken");
  ASSERT_TRUE(acme.ok() && other.ok());
  Join(acme->org_id, bob, Role::kMember);
  EXPECT_EQ(Cached(bob, acme->org_id)->org_handle, "acme");  // now cached

  EXPECT_EQ(orgs_.UpdateOrg(bob, acme->org_id, "Mine", std::nullopt).status().code(),
            StatusCode::kForbidden);
  EXPECT_EQ(orgs_.UpdateOrg(eve, acme->org_id, "Mine", std::nullopt).status().code(),
            StatusCode::kForbidden);
  EXPECT_EQ(orgs_.UpdateOrg(ada, acme->org_id, std::nullopt, "taken").status().code(),
            StatusCode::kHandleTaken);
  EXPECT_EQ(orgs_.UpdateOrg(ada, acme->org_id, std::nullopt, "Bad Handle").status().code(),
            StatusCode::kInvalidRequest);
  EXPECT_EQ(orgs_.UpdateOrg(ada, acme->org_id, "", std::nullopt).status().code(),
            StatusCode::kInvalidRequest);

  auto renamed = orgs_.UpdateOrg(ada, acme->org_id, "Acme Corp", "acme-corp");
  ASSERT_TRUE(renamed.ok());
  EXPECT_EQ(renamed->org_name, "Acme Corp");
  EXPECT_EQ(renamed->org_handle, "acme-corp");
  EXPECT_EQ(renamed->role, Role::kOwner);
  // Bob's cached memberships were dropped by the change: he sees the new name and handle.
  EXPECT_EQ(Cached(bob, acme->org_id)->org_name, "Acme Corp");
  EXPECT_EQ(Cached(bob, acme->org_id)->org_handle, "acme-corp");
  // The old handle is free again; keeping one's own handle is no conflict.
  EXPECT_TRUE(orgs_.CreateOrg(eve, "Acme", "acme").ok());
  EXPECT_TRUE(orgs_.UpdateOrg(ada, acme->org_id, "Acme Corp.", "acme-corp").ok());
  EXPECT_EQ(Actions(ada)[0], "org.renamed");
}

TEST_F(OrgLifecycleTest, OwnersChangeRolesButNeverDemoteTheLastOwner) {
  Caller ada = NewAccount("ada@example.com");
  Caller bob = NewAccount("bob@example.com");
  Caller eve = NewAccount("eve@example.com");
  auto acme = orgs_.CreateOrg(ada, "Acme");
  ASSERT_TRUE(acme.ok());
  Join(acme->org_id, bob, Role::kMember);
  EXPECT_EQ(Cached(bob, acme->org_id)->role, Role::kMember);

  // The last owner: cannot be demoted, nor leave, and the message says what to do instead.
  Status demote = orgs_.SetMemberRole(ada, acme->org_id, ada.account_id, Role::kMember).status();
  EXPECT_EQ(demote.code(), StatusCode::kConflict);
  EXPECT_NE(demote.message().find("make another member an owner first"), std::string::npos);
  EXPECT_NE(
      orgs_.RemoveMember(ada, acme->org_id, ada.account_id).message().find("change their role"),
      std::string::npos);
  // Members and outsiders may not change roles; a non-member is not found.
  EXPECT_EQ(orgs_.SetMemberRole(bob, acme->org_id, bob.account_id, Role::kOwner).status().code(),
            StatusCode::kForbidden);
  EXPECT_EQ(orgs_.SetMemberRole(eve, acme->org_id, bob.account_id, Role::kOwner).status().code(),
            StatusCode::kForbidden);
  EXPECT_EQ(orgs_.SetMemberRole(ada, acme->org_id, eve.account_id, Role::kOwner).status().code(),
            StatusCode::kNotFound);

  auto promoted = orgs_.SetMemberRole(ada, acme->org_id, bob.account_id, Role::kOwner);
  ASSERT_TRUE(promoted.ok());
  EXPECT_EQ(promoted->email, "bob@example.com");
  EXPECT_EQ(promoted->role, Role::kOwner);
  EXPECT_EQ(Cached(bob, acme->org_id)->role, Role::kOwner);
  // Now Ada may step down, and Bob is the last owner.
  ASSERT_TRUE(orgs_.SetMemberRole(ada, acme->org_id, ada.account_id, Role::kMember).ok());
  EXPECT_EQ(orgs_.SetMemberRole(bob, acme->org_id, bob.account_id, Role::kMember).status().code(),
            StatusCode::kConflict);
  EXPECT_EQ(orgs_.SetMemberRole(ada, acme->org_id, bob.account_id, Role::kMember).status().code(),
            StatusCode::kForbidden);
  EXPECT_EQ(Actions(bob)[0], "org.member_role_changed");
  // Setting the role a member has changes nothing and records nothing.
  const size_t events = Actions(bob).size();
  ASSERT_TRUE(orgs_.SetMemberRole(bob, acme->org_id, bob.account_id, Role::kOwner).ok());
  EXPECT_EQ(Actions(bob).size(), events);
}

TEST_F(OrgLifecycleTest, DeleteNeedsTheHandleAndRevokesTheScopedKeysAtOnce) {
  Caller ada = NewAccount("ada@example.com");
  Caller bob = NewAccount("bob@example.com");
  auto acme = orgs_.CreateOrg(ada, "Acme");
  auto globex = orgs_.CreateOrg(ada, "Globex");
  ASSERT_TRUE(acme.ok() && globex.ok());
  Join(acme->org_id, bob, Role::kMember);
  auto bobs_scoped = keys_.Create(bob, {"scoped", "", std::nullopt, acme->org_id});
  auto adas_scoped = keys_.Create(ada, {"scoped", "", std::nullopt, acme->org_id});
  auto adas_other = keys_.Create(ada, {"globex", "", std::nullopt, globex->org_id});
  auto bobs_unscoped = keys_.Create(bob, {"all", "", std::nullopt, std::nullopt});
  ASSERT_TRUE(bobs_scoped.ok() && adas_scoped.ok() && adas_other.ok() && bobs_unscoped.ok());
  auto host = resources_.CreateHost(acme->org_id, "web-1", "10.0.0.1");
  ASSERT_TRUE(host.ok());
  ASSERT_TRUE(resources_.CreateAgent(acme->org_id, "builder", host->id).ok());
  // Every key checked once: cached, so the refusals below come from the changes.
  auto unscoped = verifier_.Verify(bobs_unscoped->secret.reveal());
  ASSERT_TRUE(unscoped.ok());
  for (const auto* k : {&*bobs_scoped, &*adas_scoped, &*adas_other}) {
    ASSERT_TRUE(verifier_.Verify(k->secret.reveal()).ok());
  }
  ASSERT_TRUE(verifier_.CheckOrgAccess(*unscoped, acme->org_id).ok());

  EXPECT_EQ(orgs_.DeleteOrg(bob, acme->org_id, "acme").code(), StatusCode::kForbidden);
  for (const char* wrong : {"", "Acme", "globex", "acme "}) {
    Status refused = orgs_.DeleteOrg(ada, acme->org_id, wrong);
    EXPECT_EQ(refused.code(), StatusCode::kInvalidRequest) << wrong;
    EXPECT_EQ(refused.message().rfind("confirm: ", 0), 0u) << refused.message();
  }
  ASSERT_TRUE(verifier_.Verify(bobs_scoped->secret.reveal()).ok());

  ASSERT_TRUE(orgs_.DeleteOrg(ada, acme->org_id, "acme").ok());
  for (const auto* k : {&*bobs_scoped, &*adas_scoped}) {
    EXPECT_EQ(verifier_.Verify(k->secret.reveal()).status().code(), StatusCode::kKeyRevoked);
    auto record = store_->FindKey(k->key.id);
    ASSERT_TRUE(record.ok());
    EXPECT_TRUE(record->revoked_at.has_value());
    EXPECT_EQ(record->org_name, "Acme");  // the revoked key still names its organization
  }
  EXPECT_TRUE(verifier_.Verify(adas_other->secret.reveal()).ok());
  EXPECT_EQ(verifier_.CheckOrgAccess(*unscoped, acme->org_id).code(), StatusCode::kForbidden);
  EXPECT_FALSE(Cached(bob, acme->org_id).has_value());
  EXPECT_TRUE(orgs_.ListOrgs(bob)->empty());
  EXPECT_EQ(orgs_.ListOrgs(ada)->size(), 1u);
  EXPECT_TRUE(store_->ListAgents(acme->org_id)->empty());
  EXPECT_TRUE(store_->ListHosts(acme->org_id)->empty());
  EXPECT_EQ(store_->FindOrg(acme->org_id).status().code(), StatusCode::kNotFound);
  // Gone: every org route answers as for an org that never existed.
  EXPECT_EQ(orgs_.DeleteOrg(ada, acme->org_id, "acme").code(), StatusCode::kForbidden);
  EXPECT_EQ(orgs_.ListMembers(ada, acme->org_id).status().code(), StatusCode::kForbidden);
  EXPECT_EQ(keys_.Create(ada, {"late", "", std::nullopt, acme->org_id}).status().code(),
            StatusCode::kForbidden);
  // The audit log keeps the deletion; the handle is free again.
  EXPECT_EQ(Actions(ada)[0], "org.deleted");
  auto reused = orgs_.CreateOrg(bob, "Acme");
  ASSERT_TRUE(reused.ok());
  EXPECT_EQ(reused->org_handle, "acme");
}

}  // namespace
}  // namespace tfzo
