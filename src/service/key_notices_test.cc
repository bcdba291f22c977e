// The notices about keys (issue 12, item 5) at the service layer: what each change queues in
// the store's outbox (a real SQLite store in memory), and the expiry job under a fake clock.

#include "service/key_notices.h"

#include <gtest/gtest.h>

#include "testing/service_world.h"

namespace tfzo {
namespace {

using std::chrono::days;
using std::chrono::hours;

class KeyNoticesTest : public testing::ServiceWorld {
 protected:
  KeyNoticesTest() : expiry_(deps_) {}

  // The mails queued since the last call whose subject contains `about`, sent to `to`
  // (claimed and marked sent, so the next call starts afresh).
  std::vector<MailMessage> Mails(const std::string& to, const std::string& about) {
    std::vector<MailMessage> out;
    const Time now = clock_.Now();
    while (true) {
      auto mail = store_->ClaimMail(now, now + hours(1));
      EXPECT_TRUE(mail.ok()) << mail.status().message();
      if (!mail.ok() || !mail->has_value()) break;
      EXPECT_TRUE(store_->MarkMailSent((*mail)->id, now).ok());
      const MailMessage& m = (*mail)->message;
      if (m.to == to && m.subject.find(about) != std::string::npos) out.push_back(m);
    }
    return out;
  }

  static bool Has(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
  }

  ExpiryNotices expiry_;
};

TEST_F(KeyNoticesTest, ACreatedKeyIsToldToItsOwnerWithoutItsValue) {
  Caller ada = NewAccount("ada@example.com");
  auto acme = orgs_.CreateOrg(ada, "Acme");
  ASSERT_TRUE(acme.ok());
  auto created = keys_.Create(ada, {"deploy", "", clock_.Now() + days(30), acme->org_id});
  ASSERT_TRUE(created.ok());
  const auto mails = Mails("ada@example.com", "was created");
  ASSERT_EQ(mails.size(), 1u);
  const MailMessage& m = mails[0];
  EXPECT_EQ(m.subject, "A new API key \"deploy\" was created on your 2501 account");
  for (const std::string& part :
       {std::string("deploy"), created->key.hint, std::string("the organization Acme"),
        FormatRfc3339(clock_.Now()), std::string(kIp), kConsoleUrl + "/#/keys"}) {
    EXPECT_TRUE(Has(m.text, part)) << part << " not in:\n" << m.text;
    EXPECT_TRUE(Has(m.html, part)) << part;
  }
  EXPECT_FALSE(Has(m.text, created->secret.reveal()));
  EXPECT_FALSE(Has(m.html, created->secret.reveal()));
  // Refused creations send nothing.
  EXPECT_FALSE(keys_.Create(ada, {"", "", std::nullopt, std::nullopt}).ok());
  EXPECT_TRUE(Mails("ada@example.com", "was created").empty());
}

TEST_F(KeyNoticesTest, AKeyRevokedByAnOrgOwnerIsToldToItsOwnerOnce) {
  Caller ada = NewAccount("ada@example.com");
  Caller bob = NewAccount("bob@example.com");
  auto acme = orgs_.CreateOrg(ada, "Acme");
  ASSERT_TRUE(orgs_.AddMember(ada, acme->org_id, "bob@example.com", Role::kMember).ok());
  auto bobs = keys_.Create(bob, {"bob-ci", "", std::nullopt, acme->org_id});
  auto adas = keys_.Create(ada, {"ada-ci", "", std::nullopt, acme->org_id});
  ASSERT_TRUE(bobs.ok() && adas.ok());
  Mails("", "");  // the creation notices

  clock_.Advance(std::chrono::minutes(5));
  ASSERT_TRUE(orgs_.RevokeOrgKey(ada, acme->org_id, bobs->key.id).ok());
  ASSERT_TRUE(orgs_.RevokeOrgKey(ada, acme->org_id, bobs->key.id).ok());  // again: no change
  const auto mails = Mails("bob@example.com", "was revoked");
  ASSERT_EQ(mails.size(), 1u);
  EXPECT_EQ(mails[0].subject, "Your API key \"bob-ci\" was revoked");
  for (const std::string& part :
       {std::string("ada@example.com"), std::string("Acme"), bobs->key.hint,
        FormatRfc3339(clock_.Now()), std::string(kIp), kConsoleUrl + "/#/keys"}) {
    EXPECT_TRUE(Has(mails[0].text, part)) << part << " not in:\n" << mails[0].text;
  }
  // Revoking one's own key tells nobody: they know.
  ASSERT_TRUE(orgs_.RevokeOrgKey(ada, acme->org_id, adas->key.id).ok());
  ASSERT_TRUE(
      keys_.Revoke(bob, keys_.Create(bob, {"other", "", std::nullopt, std::nullopt})->key.id).ok());
  EXPECT_TRUE(Mails("ada@example.com", "was revoked").empty());
  EXPECT_TRUE(Mails("bob@example.com", "was revoked").empty());
}

TEST_F(KeyNoticesTest, ExpiryNoticesComeSevenDaysAndOneDayBeforeOnceEach) {
  Caller ada = NewAccount("ada@example.com");
  const Time t0 = clock_.Now();
  auto month = keys_.Create(ada, {"month", "", t0 + days(30), std::nullopt});
  auto week = keys_.Create(ada, {"week", "", t0 + days(7), std::nullopt});  // the 7-day preset
  auto revoked = keys_.Create(ada, {"revoked", "", t0 + days(30), std::nullopt});
  auto never = keys_.Create(ada, {"never", "", std::nullopt, std::nullopt});
  ASSERT_TRUE(month.ok() && week.ok() && revoked.ok() && never.ok());
  ASSERT_TRUE(keys_.Revoke(ada, revoked->key.id).ok());
  Mails("", "");

  EXPECT_EQ(*expiry_.RunOnce(), 0);
  clock_.Advance(days(23));  // month: 7 days left; "week" expired while the job did not run
  EXPECT_EQ(*expiry_.RunOnce(), 1);
  EXPECT_EQ(*expiry_.RunOnce(), 0);
  auto notices = Mails("ada@example.com", "expires");
  ASSERT_EQ(notices.size(), 1u);
  EXPECT_EQ(notices[0].subject, "Your API key \"month\" expires in 7 days");
  EXPECT_TRUE(Has(notices[0].text, FormatRfc3339(t0 + days(30))));
  EXPECT_TRUE(Has(notices[0].text, month->key.hint));
  EXPECT_TRUE(Has(notices[0].text, kConsoleUrl + "/#/keys"));

  clock_.Advance(days(6) + hours(1));  // 23 hours left
  EXPECT_EQ(*expiry_.RunOnce(), 1);
  EXPECT_EQ(*expiry_.RunOnce(), 0);
  notices = Mails("ada@example.com", "expires");
  ASSERT_EQ(notices.size(), 1u);
  EXPECT_EQ(notices[0].subject, "Your API key \"month\" expires in 1 day");

  // A new expiration (rotation) gets its own notices; a key set to expire within a window
  // (the 7-day preset) gets only the later one.
  ASSERT_TRUE(keys_.Rotate(ada, month->key.id, clock_.Now() + days(10)).ok());
  auto short_key = keys_.Create(ada, {"short", "", clock_.Now() + days(7), std::nullopt});
  ASSERT_TRUE(short_key.ok());
  Mails("", "");
  clock_.Advance(days(3) + hours(1));
  EXPECT_EQ(*expiry_.RunOnce(), 1);  // month's new date; not "short", set 7 days ahead
  clock_.Advance(days(3));           // short: 23 hours left
  EXPECT_EQ(*expiry_.RunOnce(), 1);
  notices = Mails("ada@example.com", "expires");
  ASSERT_EQ(notices.size(), 2u);
  EXPECT_EQ(notices[0].subject, "Your API key \"month\" expires in 7 days");
  EXPECT_EQ(notices[1].subject, "Your API key \"short\" expires in 1 day");
}

}  // namespace
}  // namespace tfzo
