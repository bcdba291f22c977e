#include "model/key_flags.h"

#include <gtest/gtest.h>

namespace tfzo {
namespace {

using std::chrono::days;
using std::chrono::hours;
using std::chrono::seconds;
using Flags = std::vector<std::string_view>;

const Time kT0 = FromUnix(1'700'000'000);

KeyRecord KeyMadeAt(Time created) {
  KeyRecord key;
  key.id = "key_1";
  key.created_at = created;
  return key;
}

TEST(KeyFlagsTest, ANewKeyHasNone) {
  KeyRecord key = KeyMadeAt(kT0);
  EXPECT_EQ(KeyFlags(key, kT0), Flags{});
  EXPECT_EQ(KeyFlags(key, kT0 + days(90) - seconds(1)), Flags{});
}

TEST(KeyFlagsTest, NinetyDaysWithoutUseOrRotationFlagsBoth) {
  KeyRecord key = KeyMadeAt(kT0);
  EXPECT_EQ(KeyFlags(key, kT0 + days(90)), (Flags{"unused_90_days", "rotation_due"}));
  key.last_used_at = kT0 + days(10);
  EXPECT_EQ(KeyFlags(key, kT0 + days(90)), Flags{"rotation_due"});
  EXPECT_EQ(KeyFlags(key, kT0 + days(100)), (Flags{"unused_90_days", "rotation_due"}));
  key.rotated_at = kT0 + days(50);
  key.last_used_at = kT0 + days(60);
  EXPECT_EQ(KeyFlags(key, kT0 + days(139)), Flags{});
  EXPECT_EQ(KeyFlags(key, kT0 + days(140)), Flags{"rotation_due"});
}

TEST(KeyFlagsTest, ExpiringWithinSevenDaysThenNothingOnceExpired) {
  KeyRecord key = KeyMadeAt(kT0);
  key.expires_at = kT0 + days(30);
  EXPECT_EQ(KeyFlags(key, kT0 + days(23) - seconds(1)), Flags{});
  EXPECT_EQ(KeyFlags(key, kT0 + days(23)), Flags{"expiring_soon"});
  EXPECT_EQ(KeyFlags(key, kT0 + days(30) - seconds(1)), Flags{"expiring_soon"});
  EXPECT_EQ(KeyFlags(key, kT0 + days(30)), Flags{});
}

TEST(KeyFlagsTest, AllFourInOrderAndNoneWhenRevoked) {
  KeyRecord key = KeyMadeAt(kT0);
  key.expires_at = kT0 + days(95);
  key.owner_left_org = true;
  const Flags all = {"unused_90_days", "rotation_due", "expiring_soon", "owner_left_org"};
  EXPECT_EQ(KeyFlags(key, kT0 + days(91)), all);
  EXPECT_EQ(KeyFlags(key, kT0), Flags{"owner_left_org"});
  key.revoked_at = kT0 + days(1);
  EXPECT_EQ(KeyFlags(key, kT0 + days(91)), Flags{});
  EXPECT_EQ(KeyFlags(key, kT0), Flags{});
}

TEST(KeyFlagsTest, ChangeAtIsTheNextThresholdAndTheFlagsHoldUntilThen) {
  KeyRecord key = KeyMadeAt(kT0);
  key.last_used_at = kT0 + days(5);
  key.expires_at = kT0 + days(200);
  EXPECT_EQ(KeyFlagsChangeAt(key, kT0), kT0 + days(90));               // rotation_due
  EXPECT_EQ(KeyFlagsChangeAt(key, kT0 + days(90)), kT0 + days(95));    // unused_90_days
  EXPECT_EQ(KeyFlagsChangeAt(key, kT0 + days(95)), kT0 + days(193));   // expiring_soon
  EXPECT_EQ(KeyFlagsChangeAt(key, kT0 + days(193)), kT0 + days(200));  // expired
  EXPECT_EQ(KeyFlagsChangeAt(key, kT0 + days(200)), std::nullopt);
  // Between now and the answer, every second shows the flags of now.
  for (Time t = kT0; t < kT0 + days(210); t += hours(7)) {
    const std::optional<Time> until = KeyFlagsChangeAt(key, t);
    const Time last = (until ? *until : t + days(30)) - seconds(1);
    EXPECT_EQ(KeyFlags(key, last), KeyFlags(key, t)) << ToUnix(t);
  }
  key.revoked_at = kT0;
  EXPECT_EQ(KeyFlagsChangeAt(key, kT0), std::nullopt);
}

}  // namespace
}  // namespace tfzo
