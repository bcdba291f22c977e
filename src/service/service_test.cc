// The rules of docs/spec/API.md at the service layer: a real SQLite store in memory, a fake clock.

#include <gtest/gtest.h>

#include "core/api_key.h"
#include "core/digest.h"
#include "service/key_list.h"
#include "service/resource_service.h"
#include "testing/service_world.h"

namespace tfzo {
namespace {

using std::chrono::days;
using std::chrono::seconds;

class ServiceTest : public testing::ServiceWorld {
 protected:
  ServiceTest() : resources_(deps_) {}

  ResourceService resources_;
};

TEST_F(ServiceTest, SignupLoginAndSessions) {
  auto grant = accounts_.Signup("Ada@Example.com", Secret("password123"), "Ada", "ip");
  ASSERT_TRUE(grant.ok());
  EXPECT_EQ(grant->account.email, "ada@example.com");
  EXPECT_EQ(accounts_.Signup("ADA@example.com", Secret("password123"), "", "ip").status().code(),
            StatusCode::kEmailTaken);
  EXPECT_EQ(accounts_.Signup("b@example.com", Secret("short"), "", "ip").status().code(),
            StatusCode::kWeakPassword);
  EXPECT_EQ(accounts_.Signup("not-an-email", Secret("password123"), "", "ip").status().code(),
            StatusCode::kInvalidRequest);

  auto session = accounts_.Authenticate(grant->token.reveal());
  ASSERT_TRUE(session.ok());
  EXPECT_EQ(session->csrf_token, grant->csrf_token);

  EXPECT_EQ(accounts_.Login("ada@example.com", Secret("wrong-password"), "ip").status().code(),
            StatusCode::kInvalidCredentials);
  EXPECT_EQ(accounts_.Login("nobody@example.com", Secret("password123"), "ip").status().code(),
            StatusCode::kInvalidCredentials);
  auto login = accounts_.Login("ADA@example.com", Secret("password123"), "ip");
  ASSERT_TRUE(login.ok());
  EXPECT_NE(login->token.reveal(), grant->token.reveal());

  ASSERT_TRUE(accounts_.Logout(login->token.reveal()).ok());
  EXPECT_EQ(accounts_.Authenticate(login->token.reveal()).status().code(),
            StatusCode::kUnauthenticated);
}

TEST_F(ServiceTest, IdleSessionsEndAfterTwelveHours) {
  auto grant = accounts_.Signup("idle@example.com", Secret("password123"), "", "ip");
  ASSERT_TRUE(grant.ok());
  clock_.Advance(std::chrono::hours(11));
  EXPECT_TRUE(accounts_.Authenticate(grant->token.reveal()).ok());  // use refreshes it
  clock_.Advance(std::chrono::hours(11));
  EXPECT_TRUE(accounts_.Authenticate(grant->token.reveal()).ok());
  clock_.Advance(std::chrono::hours(12));
  EXPECT_EQ(accounts_.Authenticate(grant->token.reveal()).status().code(),
            StatusCode::kUnauthenticated);
}

TEST_F(ServiceTest, StoresOnlyTheDigestOfTheKey) {
  Caller ada = NewAccount("ada@example.com");
  auto issued = keys_.Create(ada, {"ci", "", std::nullopt, std::nullopt});
  ASSERT_TRUE(issued.ok());
  const std::string& secret = issued->secret.reveal();
  EXPECT_TRUE(IsWellFormedKey(secret));
  EXPECT_EQ(issued->key.hint, KeyHint(secret));
  auto state = store_->FindKeyBySecret(Sha256(secret));
  ASSERT_TRUE(state.ok());
  EXPECT_EQ(state->key_id, issued->key.id);
}

TEST_F(ServiceTest, KeyValidationNamesTheField) {
  Caller ada = NewAccount("ada@example.com");
  auto empty = keys_.Create(ada, {"", "", std::nullopt, std::nullopt});
  EXPECT_TRUE(empty.status().message().starts_with("name:"));
  auto past = keys_.Create(ada, {"k", "", clock_.Now() - seconds(1), std::nullopt});
  EXPECT_TRUE(past.status().message().starts_with("expires_at:"));
  auto long_description =
      keys_.Create(ada, {"k", std::string(501, 'x'), std::nullopt, std::nullopt});
  EXPECT_TRUE(long_description.status().message().starts_with("description:"));
  auto other_org = keys_.Create(ada, {"k", "", std::nullopt, "org_nope"});
  EXPECT_EQ(other_org.status().code(), StatusCode::kForbidden);
}

TEST_F(ServiceTest, MaxKeyLifetimeForbidsNeverAndLongExpirations) {
  KeyService limited(deps_, {.max_lifetime_days = 30});
  Caller ada = NewAccount("ada@example.com");
  EXPECT_EQ(limited.Create(ada, {"k", "", std::nullopt, std::nullopt}).status().code(),
            StatusCode::kInvalidRequest);
  EXPECT_EQ(limited.Create(ada, {"k", "", clock_.Now() + days(31), std::nullopt}).status().code(),
            StatusCode::kInvalidRequest);
  EXPECT_TRUE(limited.Create(ada, {"k", "", clock_.Now() + days(29), std::nullopt}).ok());
}

TEST_F(ServiceTest, RotationKillsTheOldSecretAndKeepsTheConfiguration) {
  Caller ada = NewAccount("ada@example.com");
  auto org = orgs_.CreateOrg(ada, "Acme");
  ASSERT_TRUE(org.ok());
  auto issued = keys_.Create(ada, {"ci", "pipeline", clock_.Now() + days(30), org->org_id});
  ASSERT_TRUE(issued.ok());
  const std::string old_secret = issued->secret.reveal();
  ASSERT_TRUE(verifier_.Verify(old_secret).ok());

  auto rotated = keys_.Rotate(ada, issued->key.id, std::nullopt);
  ASSERT_TRUE(rotated.ok());
  EXPECT_EQ(rotated->key.id, issued->key.id);
  EXPECT_EQ(rotated->key.name, "ci");
  EXPECT_EQ(rotated->key.description, "pipeline");
  EXPECT_EQ(rotated->key.org_id, org->org_id);
  EXPECT_EQ(rotated->key.expires_at, issued->key.expires_at);
  EXPECT_TRUE(rotated->key.rotated_at.has_value());
  EXPECT_EQ(verifier_.Verify(old_secret).status().code(), StatusCode::kKeyRevoked);
  EXPECT_TRUE(verifier_.Verify(rotated->secret.reveal()).ok());
}

TEST_F(ServiceTest, RevokeIsPermanentAndIdempotent) {
  Caller ada = NewAccount("ada@example.com");
  auto issued = keys_.Create(ada, {"ci", "", std::nullopt, std::nullopt});
  ASSERT_TRUE(issued.ok());
  auto first = keys_.Revoke(ada, issued->key.id);
  ASSERT_TRUE(first.ok());
  clock_.Advance(seconds(10));
  auto second = keys_.Revoke(ada, issued->key.id);
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(first->revoked_at, second->revoked_at);
  EXPECT_EQ(keys_.Rotate(ada, issued->key.id, std::nullopt).status().code(), StatusCode::kConflict);
  EXPECT_EQ(verifier_.Verify(issued->secret.reveal()).status().code(), StatusCode::kKeyRevoked);
}

TEST_F(ServiceTest, ExpiredKeysAreRefusedAndRotateOnlyWithANewExpiration) {
  Caller ada = NewAccount("ada@example.com");
  auto issued = keys_.Create(ada, {"ci", "", clock_.Now() + seconds(5), std::nullopt});
  ASSERT_TRUE(issued.ok());
  clock_.Advance(seconds(5));
  EXPECT_EQ(verifier_.Verify(issued->secret.reveal()).status().code(), StatusCode::kKeyExpired);
  EXPECT_EQ(keys_.Rotate(ada, issued->key.id, std::nullopt).status().code(), StatusCode::kConflict);
  auto renewed = keys_.Rotate(ada, issued->key.id, std::optional<Time>(clock_.Now() + days(1)));
  ASSERT_TRUE(renewed.ok());
  EXPECT_TRUE(verifier_.Verify(renewed->secret.reveal()).ok());
}

TEST_F(ServiceTest, AnotherAccountsKeyIsNotFound) {
  Caller ada = NewAccount("ada@example.com");
  Caller bob = NewAccount("bob@example.com");
  auto issued = keys_.Create(ada, {"ci", "", std::nullopt, std::nullopt});
  ASSERT_TRUE(issued.ok());
  EXPECT_EQ(keys_.Revoke(bob, issued->key.id).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(keys_.Rotate(bob, issued->key.id, std::nullopt).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(keys_.Update(bob, issued->key.id, {.name = "x"}).status().code(),
            StatusCode::kNotFound);
}

TEST_F(ServiceTest, ScopeRulesAndMemberRemoval) {
  Caller ada = NewAccount("ada@example.com");
  Caller bob = NewAccount("bob@example.com");
  auto acme = orgs_.CreateOrg(ada, "Acme");
  auto globex = orgs_.CreateOrg(ada, "Globex");
  ASSERT_TRUE(acme.ok() && globex.ok());
  ASSERT_TRUE(Join(ada, acme->org_id, bob).ok());
  EXPECT_EQ(
      invitations_.Invite(bob, acme->org_id, "ada@example.com", Role::kMember).status().code(),
      StatusCode::kForbidden);

  auto scoped = keys_.Create(bob, {"scoped", "", std::nullopt, acme->org_id});
  auto unscoped = keys_.Create(bob, {"all", "", std::nullopt, std::nullopt});
  ASSERT_TRUE(scoped.ok() && unscoped.ok());
  auto scoped_state = verifier_.Verify(scoped->secret.reveal());
  auto unscoped_state = verifier_.Verify(unscoped->secret.reveal());
  ASSERT_TRUE(scoped_state.ok() && unscoped_state.ok());
  EXPECT_TRUE(verifier_.CheckOrgAccess(*scoped_state, acme->org_id).ok());
  EXPECT_TRUE(verifier_.CheckOrgAccess(*unscoped_state, acme->org_id).ok());
  EXPECT_EQ(verifier_.CheckOrgAccess(*unscoped_state, globex->org_id).code(),
            StatusCode::kForbidden);

  // Ada's scoped key on another of her orgs: out of scope, naming the key's org.
  auto ada_scoped = keys_.Create(ada, {"acme-only", "", std::nullopt, acme->org_id});
  ASSERT_TRUE(ada_scoped.ok());
  auto ada_state = verifier_.Verify(ada_scoped->secret.reveal());
  Status out = verifier_.CheckOrgAccess(*ada_state, globex->org_id);
  EXPECT_EQ(out.code(), StatusCode::kOrgOutOfScope);
  EXPECT_NE(out.message().find("Acme"), std::string::npos);

  // Removing Bob cuts both of his keys off Acme at once.
  ASSERT_TRUE(orgs_.RemoveMember(ada, acme->org_id, bob.account_id).ok());
  EXPECT_EQ(verifier_.CheckOrgAccess(*scoped_state, acme->org_id).code(), StatusCode::kForbidden);
  EXPECT_EQ(verifier_.CheckOrgAccess(*unscoped_state, acme->org_id).code(), StatusCode::kForbidden);

  // The last owner cannot leave.
  EXPECT_EQ(orgs_.RemoveMember(ada, acme->org_id, ada.account_id).code(), StatusCode::kConflict);
}

TEST_F(ServiceTest, OwnersSeeAndRevokeKeysScopedToTheirOrg) {
  Caller ada = NewAccount("ada@example.com");
  Caller bob = NewAccount("bob@example.com");
  auto acme = orgs_.CreateOrg(ada, "Acme");
  ASSERT_TRUE(Join(ada, acme->org_id, bob).ok());
  auto bobs = keys_.Create(bob, {"bob-ci", "", std::nullopt, acme->org_id});
  ASSERT_TRUE(bobs.ok());
  auto listed = orgs_.ListOrgKeys(ada, acme->org_id);
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(listed->keys.size(), 1u);
  EXPECT_EQ(listed->keys[0].email, "bob@example.com");
  EXPECT_EQ(orgs_.ListOrgKeys(bob, acme->org_id).status().code(), StatusCode::kForbidden);
  ASSERT_TRUE(orgs_.RevokeOrgKey(ada, acme->org_id, bobs->key.id).ok());
  EXPECT_EQ(verifier_.Verify(bobs->secret.reveal()).status().code(), StatusCode::kKeyRevoked);
}

TEST_F(ServiceTest, AnOrgThatDoesNotExistIsRefusedLikeAForeignOne) {
  Caller ada = NewAccount("ada@example.com");
  Caller bob = NewAccount("bob@example.com");
  auto foreign = orgs_.CreateOrg(bob, "Globex");
  ASSERT_TRUE(foreign.ok());
  for (const std::string& org : {foreign->org_id, std::string("org_doesnotexist")}) {
    SCOPED_TRACE(org);
    for (const Status& s :
         {orgs_.ListMembers(ada, org).status(),
          invitations_.Invite(ada, org, "bob@example.com", Role::kMember).status(),
          orgs_.RemoveMember(ada, org, bob.account_id),
          orgs_.RemoveMember(ada, org, ada.account_id), orgs_.ListOrgKeys(ada, org).status(),
          orgs_.RevokeOrgKey(ada, org, "key_x").status(),
          keys_.Create(ada, {.name = "k", .description = "", .expires_at = {}, .org_id = org})
              .status()}) {
      EXPECT_EQ(s.code(), StatusCode::kForbidden) << s.message();
    }
    EXPECT_EQ(orgs_.ListMembers(ada, org).status().message(),
              "You are not a member of this organization.");
  }
}

TEST_F(ServiceTest, TextIsStoredNormalized) {
  Caller ada = NewAccount("ada@example.com");
  auto org = orgs_.CreateOrg(ada, "Cafe\u0301");
  ASSERT_TRUE(org.ok());
  EXPECT_EQ(org->org_name, "Caf\u00e9");
  auto key = keys_.Create(
      ada, {.name = "Cafe\u0301", .description = "Cre\u0300me", .expires_at = {}, .org_id = {}});
  ASSERT_TRUE(key.ok());
  EXPECT_EQ(key->key.name, "Caf\u00e9");
  EXPECT_EQ(key->key.description, "Cr\u00e8me");
  auto updated = keys_.Update(ada, key->key.id, {.name = "A\u030a", .description = "a\u030a"});
  ASSERT_TRUE(updated.ok());
  EXPECT_EQ(updated->name, "\u00c5");
  EXPECT_EQ(updated->description, "\u00e5");
  EXPECT_EQ(orgs_.CreateOrg(ada, "innocent\u202egnp.exe").status().code(),
            StatusCode::kInvalidRequest);
  auto grant = accounts_.Signup("zoe@example.com", Secret("password123"), "Zoe\u0308", "ip");
  ASSERT_TRUE(grant.ok());
  EXPECT_EQ(grant->account.name, "Zo\u00eb");
}

TEST_F(ServiceTest, AgentsAndHostsStayInTheirOrg) {
  Caller ada = NewAccount("ada@example.com");
  auto acme = orgs_.CreateOrg(ada, "Acme");
  auto globex = orgs_.CreateOrg(ada, "Globex");
  auto host = resources_.CreateHost(acme->org_id, "build-1", "10.0.0.5");
  ASSERT_TRUE(host.ok());
  auto agent = resources_.CreateAgent(acme->org_id, "deployer", host->id);
  ASSERT_TRUE(agent.ok());
  EXPECT_EQ(resources_.CreateAgent(globex->org_id, "x", host->id).status().code(),
            StatusCode::kInvalidRequest);
  EXPECT_EQ(resources_.GetAgent(globex->org_id, agent->id).status().code(), StatusCode::kNotFound);
  ASSERT_TRUE(resources_.DeleteHost(acme->org_id, host->id).ok());
  auto after = resources_.GetAgent(acme->org_id, agent->id);
  ASSERT_TRUE(after.ok());
  EXPECT_FALSE(after->host_id.has_value());
}

TEST_F(ServiceTest, AuditEventsRecordTheActions) {
  Caller ada = NewAccount("ada@example.com");
  auto issued = keys_.Create(ada, {"ci", "", std::nullopt, std::nullopt});
  ASSERT_TRUE(keys_.Rotate(ada, issued->key.id, std::nullopt).ok());
  ASSERT_TRUE(keys_.Revoke(ada, issued->key.id).ok());
  auto events = accounts_.ListEvents(ada, 50, std::nullopt);
  ASSERT_TRUE(events.ok());
  std::vector<std::string> actions;
  for (const auto& e : *events) actions.push_back(e.action);
  EXPECT_EQ(actions, (std::vector<std::string>{"key.revoked", "key.rotated", "key.created",
                                               "session.login", "account.signup"}));
}

}  // namespace
}  // namespace tfzo

namespace tfzo {
namespace {

class KeyListServiceTest : public testing::ServiceWorld {};

TEST_F(KeyListServiceTest, ListParamsAreCheckedAndNamed) {
  const auto message = [](KeyListParams p) {
    auto q = ReadKeyListParams(p);
    EXPECT_EQ(q.status().code(), StatusCode::kInvalidRequest);
    return q.status().message();
  };
  EXPECT_TRUE(message({.status = "old"}).starts_with("status:"));
  EXPECT_TRUE(message({.limit = "0"}).starts_with("limit:"));
  EXPECT_TRUE(message({.limit = "101"}).starts_with("limit:"));
  EXPECT_TRUE(message({.limit = "1e2"}).starts_with("limit:"));
  EXPECT_TRUE(message({.cursor = "nope"}).starts_with("cursor:"));
  EXPECT_TRUE(message({.q = std::string("a\x01")}).starts_with("q:"));
  auto ok = ReadKeyListParams({.status = "revoked",
                               .q = "ci",
                               .limit = "5",
                               .cursor = EncodeKeyCursor({.created_at = FromUnix(7), .seq = 9})});
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(ok->state, KeyQuery::State::kRevoked);
  EXPECT_EQ(ok->limit, 5);
  ASSERT_TRUE(ok->after.has_value());
  EXPECT_EQ(ok->after->seq, 9);
  EXPECT_EQ(ok->after->created_at, FromUnix(7));
}

TEST_F(KeyListServiceTest, RevokeManyIsAllOrNothingAndNamesThePosition) {
  Caller ada = NewAccount("ada@example.com");
  Caller bob = NewAccount("bob@example.com");
  auto a1 = keys_.Create(ada, {"a1", "", std::nullopt, std::nullopt});
  auto a2 = keys_.Create(ada, {"a2", "", std::nullopt, std::nullopt});
  auto b1 = keys_.Create(bob, {"b1", "", std::nullopt, std::nullopt});
  ASSERT_TRUE(a1.ok() && a2.ok() && b1.ok());
  auto refused = keys_.RevokeMany(ada, {a1->key.id, b1->key.id});
  EXPECT_EQ(refused.status().code(), StatusCode::kNotFound);
  EXPECT_TRUE(refused.status().message().starts_with("ids[1]:"));
  EXPECT_TRUE(verifier_.Verify(a1->secret.reveal()).ok());
  EXPECT_EQ(keys_.RevokeMany(ada, {}).status().code(), StatusCode::kInvalidRequest);

  auto done = keys_.RevokeMany(ada, {a2->key.id, a1->key.id, a2->key.id});
  ASSERT_TRUE(done.ok()) << done.status().message();
  ASSERT_EQ(done->size(), 2u);
  EXPECT_EQ((*done)[0].id, a2->key.id);
  EXPECT_TRUE((*done)[0].revoked_at.has_value());
  EXPECT_EQ(verifier_.Verify(a1->secret.reveal()).status().code(), StatusCode::kKeyRevoked);
  EXPECT_EQ(verifier_.Verify(a2->secret.reveal()).status().code(), StatusCode::kKeyRevoked);
  EXPECT_TRUE(verifier_.Verify(b1->secret.reveal()).ok());

  auto active = keys_.List(ada, KeyQuery{.state = KeyQuery::State::kActive});
  ASSERT_TRUE(active.ok());
  EXPECT_TRUE(active->keys.empty());
  auto revoked = keys_.List(ada, KeyQuery{.state = KeyQuery::State::kRevoked, .limit = 1});
  ASSERT_TRUE(revoked.ok());
  EXPECT_EQ(revoked->keys.size(), 1u);
  EXPECT_TRUE(revoked->next.has_value());
}

TEST_F(KeyListServiceTest, QuotasAnswerQuotaExceededSayingTheLimit) {
  store_->SetQuotas(Quotas{.max_active_keys = 1, .max_orgs = 1});
  Caller ada = NewAccount("ada@example.com");
  ASSERT_TRUE(keys_.Create(ada, {"a1", "", std::nullopt, std::nullopt}).ok());
  auto over = keys_.Create(ada, {"a2", "", std::nullopt, std::nullopt});
  EXPECT_EQ(over.status().code(), StatusCode::kQuotaExceeded);
  EXPECT_NE(over.status().message().find("1 active API key,"), std::string::npos);
  ASSERT_TRUE(orgs_.CreateOrg(ada, "One").ok());
  auto org = orgs_.CreateOrg(ada, "Two");
  EXPECT_EQ(org.status().code(), StatusCode::kQuotaExceeded);
  EXPECT_NE(org.status().message().find("1 organization,"), std::string::npos);
}

}  // namespace
}  // namespace tfzo
