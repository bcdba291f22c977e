#include "core/time.h"

#include <gtest/gtest.h>

namespace tfzo {
namespace {

TEST(TimeTest, FormatsUtcWithZ) {
  EXPECT_EQ(FormatRfc3339(FromUnix(0)), "1970-01-01T00:00:00Z");
  EXPECT_EQ(FormatRfc3339(FromUnix(1795762107)), "2026-11-27T06:48:27Z");
}

// Every year RFC 3339 can write, beyond the ±292 years a nanosecond time_point holds.
TEST(TimeTest, FormatsTheWholeRangeOfFourDigitYears) {
  for (const char* text : {"0000-01-01T00:00:00Z", "0001-01-01T00:00:00Z", "1600-02-29T12:00:00Z",
                           "9999-12-31T23:59:59Z"}) {
    auto t = ParseRfc3339(text);
    ASSERT_TRUE(t.ok()) << text;
    EXPECT_EQ(FormatRfc3339(*t), text);
  }
}

TEST(TimeTest, ParsesWhatItFormats) {
  auto t = ParseRfc3339("2026-11-27T06:48:27Z");
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(ToUnix(*t), 1795762107);
}

TEST(TimeTest, ParsesOffsetsAndFractions) {
  auto t = ParseRfc3339("2026-11-27T08:48:27.123+02:00");
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(FormatRfc3339(*t), "2026-11-27T06:48:27Z");
  auto u = ParseRfc3339("2026-11-27T01:48:27-05:00");
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(FormatRfc3339(*u), "2026-11-27T06:48:27Z");
}

TEST(TimeTest, RejectsGarbage) {
  for (const char* bad : {"", "2026-11-27", "2026-11-27T06:48:27", "2026-13-01T00:00:00Z",
                          "2026-02-30T00:00:00Z", "2026-11-27T24:00:00Z", "tomorrow",
                          "2026-11-27T06:48:27Zjunk", "2026-11-27T06:48:27+0200"}) {
    EXPECT_FALSE(ParseRfc3339(bad).ok()) << bad;
  }
}

TEST(TimeTest, FakeClockMovesOnlyWhenTold) {
  FakeClock clock(FromUnix(100));
  EXPECT_EQ(ToUnix(clock.Now()), 100);
  clock.Advance(std::chrono::seconds(5));
  EXPECT_EQ(ToUnix(clock.Now()), 105);
}

}  // namespace
}  // namespace tfzo
