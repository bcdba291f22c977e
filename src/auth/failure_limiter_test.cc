#include "auth/failure_limiter.h"

#include <gtest/gtest.h>

namespace tfzo {
namespace {

using std::chrono::minutes;
using std::chrono::seconds;

TEST(FailureLimiterTest, BlocksAfterMaxFailuresWithinTheWindow) {
  FakeClock clock(FromUnix(1'000'000));
  FailureLimiter limiter(clock, 5, minutes(15));
  for (int i = 0; i < 4; ++i) {
    limiter.RecordFailure("ada@example.com");
    clock.Advance(seconds(10));
  }
  EXPECT_EQ(limiter.RetryAfter("ada@example.com"), seconds(0));
  limiter.RecordFailure("ada@example.com");
  // Blocked until the first failure (40 s ago) leaves the 15-minute window.
  EXPECT_EQ(limiter.RetryAfter("ada@example.com"), minutes(15) - seconds(40));
  EXPECT_EQ(limiter.RetryAfter("bob@example.com"), seconds(0));
}

TEST(FailureLimiterTest, AttemptsWhileBlockedDoNotExtendTheBlock) {
  FakeClock clock(FromUnix(1'000'000));
  FailureLimiter limiter(clock, 5, minutes(15));
  for (int i = 0; i < 5; ++i) limiter.RecordFailure("x");
  for (int i = 0; i < 100; ++i) {
    clock.Advance(seconds(5));
    limiter.RecordFailure("x");
  }
  clock.Advance(minutes(15) - seconds(500));
  EXPECT_EQ(limiter.RetryAfter("x"), seconds(0));
}

TEST(FailureLimiterTest, OldFailuresLeaveTheWindow) {
  FakeClock clock(FromUnix(1'000'000));
  FailureLimiter limiter(clock, 3, minutes(1));
  limiter.RecordFailure("ip");
  limiter.RecordFailure("ip");
  clock.Advance(minutes(2));
  limiter.RecordFailure("ip");
  EXPECT_EQ(limiter.RetryAfter("ip"), seconds(0));
}

TEST(FailureLimiterTest, RefuseReportsTheFirstRefusalOfEachBlockOnly) {
  FakeClock clock(FromUnix(1'000'000));
  FailureLimiter limiter(clock, 2, minutes(1));
  bool first = true;
  EXPECT_EQ(limiter.Refuse("x", first), seconds(0));  // unknown subject: not blocked
  EXPECT_FALSE(first);
  limiter.RecordFailure("x");
  EXPECT_EQ(limiter.Refuse("x", first), seconds(0));  // one failure: not blocked
  EXPECT_FALSE(first);
  limiter.RecordFailure("x");
  EXPECT_EQ(limiter.Refuse("x", first), minutes(1));
  EXPECT_TRUE(first);
  for (int i = 0; i < 5; ++i) {
    clock.Advance(seconds(1));
    EXPECT_GT(limiter.Refuse("x", first), seconds(0));
    EXPECT_FALSE(first);
    limiter.RecordFailure("x");  // blocked: not counted, and the block stays reported
  }
  // The block ends; two new failures start a new one, whose first refusal is reported again.
  clock.Advance(minutes(1));
  EXPECT_EQ(limiter.Refuse("x", first), seconds(0));
  EXPECT_FALSE(first);
  limiter.RecordFailure("x");
  limiter.RecordFailure("x");
  EXPECT_GT(limiter.Refuse("x", first), seconds(0));
  EXPECT_TRUE(first);
  EXPECT_GT(limiter.Refuse("x", first), seconds(0));
  EXPECT_FALSE(first);
}

TEST(FailureLimiterTest, MemoryIsBounded) {
  FakeClock clock(FromUnix(1'000'000));
  FailureLimiter limiter(clock, 1, minutes(1), /*max_subjects=*/10);
  for (int i = 0; i < 1000; ++i) limiter.RecordFailure("subject-" + std::to_string(i));
  int blocked = 0;
  for (int i = 0; i < 1000; ++i) {
    blocked += limiter.RetryAfter("subject-" + std::to_string(i)) > seconds(0);
  }
  EXPECT_LE(blocked, 10);
  EXPECT_GT(limiter.RetryAfter("subject-999"), seconds(0));  // the newest is kept
}

}  // namespace
}  // namespace tfzo
