#include "service/me_service.h"

#include <gtest/gtest.h>

#include "model/key_flags.h"
#include "testing/service_world.h"

namespace tfzo {
namespace {

// Ada, her org Acme, a key scoped to it and an unscoped one; MeService with a renderer that
// counts its calls and writes what it was given.
class MeServiceTest : public testing::ServiceWorld {
 protected:
  MeServiceTest()
      : me_(verifier_, clock_,
            {.answer =
                 [this](const MeService::Me& me) {
                   ++renders_;
                   std::string body = me.account.email + " " + me.key.name + " last_used=";
                   const size_t gap = body.size();
                   for (const auto& m : me.orgs) body += " " + m.org_name;
                   body += " flags=";
                   for (std::string_view f : KeyFlags(me.key, me.now)) {
                     body += std::string(f) + ",";
                   }
                   return MeService::Parts{.body = std::move(body), .gap = gap};
                 },
             .last_used =
                 [](std::optional<Time> t, std::string& out) {
                   out += t ? std::to_string(ToUnix(*t)) : "never";
                 }}) {
    ada_ = NewAccount("ada@example.com");
    acme_ = orgs_.CreateOrg(ada_, "Acme")->org_id;
    EXPECT_TRUE(orgs_.CreateOrg(ada_, "Globex").ok());
    scoped_ = State(keys_.Create(ada_, {"scoped", "", std::nullopt, acme_}));
    unscoped_ = State(keys_.Create(ada_, {"unscoped", "", std::nullopt, std::nullopt}));
  }

  KeyState State(const Result<KeyService::Issued>& issued) {
    EXPECT_TRUE(issued.ok());
    auto state = verifier_.Verify(issued->secret.reveal());
    EXPECT_TRUE(state.ok());
    return *state;
  }

  std::string Answer(const KeyState& key) {
    auto body = me_.Answer(key);
    EXPECT_TRUE(body.ok()) << body.status().message();
    return body.ok() ? *body : "";
  }

  int renders_ = 0;
  MeService me_;
  Caller ada_;
  std::string acme_;
  KeyState scoped_, unscoped_;
};

TEST_F(MeServiceTest, AScopedKeyReachesItsOrgOnlyAndAnUnscopedOneEveryOrg) {
  auto scoped = me_.ReachableOrgs(scoped_);
  ASSERT_TRUE(scoped.ok());
  ASSERT_EQ(scoped->size(), 1u);
  EXPECT_EQ((*scoped)[0].org_id, acme_);
  auto unscoped = me_.ReachableOrgs(unscoped_);
  ASSERT_TRUE(unscoped.ok());
  EXPECT_EQ(unscoped->size(), 2u);
  EXPECT_EQ(Answer(scoped_).find("Globex"), std::string::npos);
}

TEST_F(MeServiceTest, TheAnswerIsReusedWhileNothingItShowsChanged) {
  const std::string first = Answer(unscoped_);
  EXPECT_NE(first.find("ada@example.com unscoped"), std::string::npos);
  EXPECT_EQ(Answer(unscoped_), first);
  EXPECT_EQ(renders_, 1);
  Answer(scoped_);
  EXPECT_EQ(renders_, 2) << "one answer per key";
}

TEST_F(MeServiceTest, TheRequestIsTheLastUseWithoutRenderingTheAnswerAgain) {
  Answer(unscoped_);
  clock_.Advance(std::chrono::seconds(30));
  const std::string body = Answer(unscoped_);
  EXPECT_EQ(renders_, 1);
  EXPECT_NE(body.find("last_used=" + std::to_string(ToUnix(clock_.Now()))), std::string::npos);
}

TEST_F(MeServiceTest, ChangedMembershipsAndKeysAreShownAtOnce) {
  Answer(unscoped_);
  ASSERT_TRUE(orgs_.CreateOrg(ada_, "Initech").ok());
  EXPECT_NE(Answer(unscoped_).find("Initech"), std::string::npos);
  EXPECT_EQ(renders_, 2);
  ASSERT_TRUE(keys_.Update(ada_, unscoped_.key_id, {.name = "renamed"}).ok());
  EXPECT_NE(Answer(unscoped_).find("ada@example.com renamed"), std::string::npos);
  EXPECT_EQ(renders_, 3);
}

TEST_F(MeServiceTest, AKeptAnswerNeverShowsFlagsPastTheirTime) {
  EXPECT_TRUE(Answer(unscoped_).ends_with("flags="));
  // Nothing changes but the time: the answer is kept until the key is 90 days old...
  clock_.Advance(std::chrono::days(90) - std::chrono::seconds(1));
  EXPECT_TRUE(Answer(unscoped_).ends_with("flags="));
  EXPECT_EQ(renders_, 1);
  // ...and not a second longer. The request itself is a use: never unused_90_days here.
  clock_.Advance(std::chrono::seconds(1));
  EXPECT_TRUE(Answer(unscoped_).ends_with("flags=rotation_due,"));
  EXPECT_EQ(renders_, 2);
  EXPECT_TRUE(Answer(unscoped_).ends_with("flags=rotation_due,"));
  EXPECT_EQ(renders_, 2);
}

TEST_F(MeServiceTest, AnExpiringKeysAnswerTurnsExpiringSoonOnTime) {
  const KeyState key =
      State(keys_.Create(ada_, {"short", "", clock_.Now() + std::chrono::days(10), std::nullopt}));
  EXPECT_TRUE(Answer(key).ends_with("flags="));
  clock_.Advance(std::chrono::days(3) - std::chrono::seconds(1));
  EXPECT_TRUE(Answer(key).ends_with("flags="));
  clock_.Advance(std::chrono::seconds(1));
  EXPECT_TRUE(Answer(key).ends_with("flags=expiring_soon,"));
}

TEST_F(MeServiceTest, AKeyWhoseOwnerLeftItsOrgSaysSoAtOnce) {
  const Caller bob = NewAccount("bob@example.com", "Bob");
  ASSERT_TRUE(Join(ada_, acme_, bob).ok());
  const KeyState key = State(keys_.Create(bob, {"bob's", "", std::nullopt, acme_}));
  EXPECT_TRUE(Answer(key).ends_with("flags="));
  ASSERT_TRUE(orgs_.RemoveMember(ada_, acme_, bob.account_id).ok());
  EXPECT_TRUE(Answer(key).ends_with("flags=owner_left_org,"));
  // Ada's own scoped key is not flagged.
  EXPECT_TRUE(Answer(scoped_).ends_with("flags="));
}

}  // namespace
}  // namespace tfzo
