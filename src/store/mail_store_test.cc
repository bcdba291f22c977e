#include <gtest/gtest.h>

#include <atomic>
#include <optional>
#include <string>
#include <vector>

#include "store/store_test.h"
#include "store/store_test_util.h"

// The mail queue's part of the Store contract (see store_test.cc), run against SqlStore on
// every engine: mails queued with their event, claimed under a lease, sent, retried, given up;
// key notices recorded once.

namespace tfzo {
namespace {

using namespace ::tfzo::testing;  // NOLINT: test records

MailMessage Mail(std::string to, std::string subject) {
  return MailMessage{.to = std::move(to),
                     .subject = std::move(subject),
                     .text = "text with a link token",
                     .html = "<p>html with a link token</p>"};
}

class MailQueueTest : public StoreTest {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    if (HasFatalFailure()) return;
    store_->SetMailListener([this] { ++woken_; });
  }

  // Creates key `id` of acc_a with an event that sends `mails`.
  Status CreateKeyWithMails(const std::string& id, std::vector<MailMessage> mails, Time at = kT0) {
    EventRecord event = Event("ev_" + id, "key.created", "acc_a", std::nullopt, at);
    event.mails = std::move(mails);
    KeyRecord key = Key(id, "acc_a", at);
    return store_->CreateKey(key, Secret("tfzo_secret" + id, id, at), event);
  }

  std::optional<QueuedMail> Claim(Time now, Time lease_until) {
    auto claimed = store_->ClaimMail(now, lease_until);
    EXPECT_TRUE(claimed.ok()) << claimed.status().message();
    return claimed.ok() ? *claimed : std::nullopt;
  }

  std::atomic<int> woken_{0};
};

TEST_P(MailQueueTest, AnEventQueuesItsMailsInItsOwnTransaction) {
  EXPECT_FALSE(Claim(kT0, At(60)).has_value());
  ASSERT_TRUE(
      CreateKeyWithMails("key_1", {Mail("a@example.com", "first"), Mail("b@example.com", "second")})
          .ok());
  EXPECT_EQ(woken_.load(), 1);

  // A change that fails queues nothing and wakes nobody.
  EXPECT_EQ(CreateKeyWithMails("key_1", {Mail("a@example.com", "duplicate key")}).code(),
            StatusCode::kConflict);
  EXPECT_EQ(woken_.load(), 1);
  // A write without mail wakes nobody either.
  ASSERT_TRUE(CreateKeyWithMails("key_2", {}).ok());
  EXPECT_EQ(woken_.load(), 1);

  auto first = Claim(kT0, At(60));
  ASSERT_TRUE(first.has_value());
  EXPECT_EQ(first->message.to, "a@example.com");
  EXPECT_EQ(first->message.subject, "first");
  EXPECT_EQ(first->message.text, "text with a link token");
  EXPECT_EQ(first->message.html, "<p>html with a link token</p>");
  EXPECT_EQ(first->created_at, kT0);
  EXPECT_EQ(first->attempts, 1);
  auto second = Claim(kT0, At(60));
  ASSERT_TRUE(second.has_value());
  EXPECT_EQ(second->message.subject, "second");
  EXPECT_NE(first->id, second->id);
  EXPECT_FALSE(Claim(kT0, At(60)).has_value());  // both leased
}

TEST_P(MailQueueTest, ALeaseKeepsOthersOffUntilItEnds) {
  ASSERT_TRUE(CreateKeyWithMails("key_1", {Mail("a@example.com", "s")}).ok());
  auto claimed = Claim(kT0, At(120));
  ASSERT_TRUE(claimed.has_value());
  EXPECT_FALSE(Claim(At(119), At(240)).has_value());
  // The claimer died: once the lease ends, the mail is claimed again, one more attempt.
  auto again = Claim(At(120), At(240));
  ASSERT_TRUE(again.has_value());
  EXPECT_EQ(again->id, claimed->id);
  EXPECT_EQ(again->attempts, 2);
}

TEST_P(MailQueueTest, SentMailsAreNeverClaimedAgain) {
  ASSERT_TRUE(CreateKeyWithMails("key_1", {Mail("a@example.com", "s")}).ok());
  auto claimed = Claim(kT0, At(60));
  ASSERT_TRUE(claimed.has_value());
  ASSERT_TRUE(store_->MarkMailSent(claimed->id, At(1)).ok());
  EXPECT_FALSE(Claim(At(1000), At(2000)).has_value());
  EXPECT_EQ(store_->MarkMailSent(987654, At(1)).code(), StatusCode::kNotFound);
}

TEST_P(MailQueueTest, ARetryWaitsForItsTimeAndAFailureEndsIt) {
  ASSERT_TRUE(CreateKeyWithMails("key_1", {Mail("a@example.com", "s")}).ok());
  auto claimed = Claim(kT0, At(60));
  ASSERT_TRUE(claimed.has_value());
  ASSERT_TRUE(store_->RetryMail(claimed->id, At(10), "421 try again later").ok());
  EXPECT_FALSE(Claim(At(9), At(70)).has_value());  // the retry's time, not the lease, decides
  auto retried = Claim(At(10), At(70));
  ASSERT_TRUE(retried.has_value());
  EXPECT_EQ(retried->attempts, 2);
  EXPECT_EQ(retried->message.text, "text with a link token");

  ASSERT_TRUE(store_->FailMail(retried->id, At(11), "gave up").ok());
  EXPECT_FALSE(Claim(At(100000), At(100060)).has_value());
  EXPECT_EQ(store_->RetryMail(987654, At(1), "x").code(), StatusCode::kNotFound);
  EXPECT_EQ(store_->FailMail(987654, At(1), "x").code(), StatusCode::kNotFound);
}

TEST_P(MailQueueTest, DueMailsComeOldestFirst) {
  ASSERT_TRUE(CreateKeyWithMails("key_1", {Mail("a@example.com", "1")}).ok());
  ASSERT_TRUE(CreateKeyWithMails("key_2", {Mail("a@example.com", "2")}, At(5)).ok());
  auto one = Claim(At(5), At(60));
  ASSERT_TRUE(one.has_value());
  EXPECT_EQ(one->message.subject, "1");
  ASSERT_TRUE(store_->RetryMail(one->id, At(30), "busy").ok());
  // "2" was due first now.
  auto two = Claim(At(30), At(90));
  ASSERT_TRUE(two.has_value());
  EXPECT_EQ(two->message.subject, "2");
}

TEST_P(MailQueueTest, KeyNoticesAreQueuedOncePerKeyKindAndExpiration) {
  KeyRecord soon = Key("key_soon", "acc_a");
  soon.expires_at = At(3 * 86400);
  KeyRecord later = Key("key_later", "acc_b");
  later.expires_at = At(30 * 86400);
  KeyRecord revoked = Key("key_revoked", "acc_a");
  revoked.expires_at = At(2 * 86400);
  KeyRecord never = Key("key_never", "acc_a");
  for (const KeyRecord* k : {&soon, &later, &revoked, &never}) {
    ASSERT_TRUE(store_
                    ->CreateKey(*k, Secret("tfzo_secret" + k->id, k->id),
                                Event("ev_" + k->id, "key.created", k->account_id))
                    .ok());
  }
  ASSERT_TRUE(store_->RevokeKey("key_revoked", At(1), Event("ev_rv", "key.revoked", "acc_a")).ok());

  auto due = store_->ListKeysForNotice("expires_7d", kT0, At(7 * 86400));
  ASSERT_TRUE(due.ok()) << due.status().message();
  ASSERT_EQ(due->size(), 1u);
  EXPECT_EQ((*due)[0].id, "key_soon");
  EXPECT_EQ((*due)[0].email, "a@example.com");
  // The window's start is excluded.
  EXPECT_TRUE(store_->ListKeysForNotice("expires_7d", At(3 * 86400), At(9 * 86400))->empty());

  const int woken = woken_.load();
  auto first = store_->QueueKeyNotice("key_soon", "expires_7d", *soon.expires_at,
                                      Mail("a@example.com", "expires"), At(1));
  ASSERT_TRUE(first.ok()) << first.status().message();
  EXPECT_TRUE(*first);
  EXPECT_EQ(woken_.load(), woken + 1);
  auto second = store_->QueueKeyNotice("key_soon", "expires_7d", *soon.expires_at,
                                       Mail("a@example.com", "expires"), At(2));
  ASSERT_TRUE(second.ok());
  EXPECT_FALSE(*second);
  EXPECT_EQ(woken_.load(), woken + 1);
  EXPECT_TRUE(store_->ListKeysForNotice("expires_7d", kT0, At(7 * 86400))->empty());
  // Another notice of the same key, and the same notice for a new expiration, are separate.
  EXPECT_EQ(store_->ListKeysForNotice("expires_1d", kT0, At(7 * 86400))->size(), 1u);
  EXPECT_TRUE(*store_->QueueKeyNotice("key_soon", "expires_7d", At(4 * 86400),
                                      Mail("a@example.com", "expires"), At(3)));

  int queued = 0;
  while (Claim(At(10), At(60)).has_value()) ++queued;
  EXPECT_EQ(queued, 2);
  EXPECT_EQ(
      store_->QueueKeyNotice("key_zzz", "expires_7d", At(1), Mail("a@example.com", "x"), At(1))
          .status()
          .code(),
      StatusCode::kNotFound);
}

TFZO_INSTANTIATE_ON_EVERY_ENGINE(MailQueueTest);

}  // namespace
}  // namespace tfzo
