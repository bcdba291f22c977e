#include "service/org_handle.h"

#include <gtest/gtest.h>

#include <string>

namespace tfzo {
namespace {

TEST(OrgHandleTest, CheckHandleTakesGitHubsRule) {
  for (const char* ok : {"a", "acme", "acme-robotics", "a1-b2-c3", "0",
                         "org-2nxrgyq5i0hjgvvw4yufup", "abcdefghijklmnopqrstuvwxyz0123456789abc"}) {
    auto checked = CheckHandle("handle", ok);
    ASSERT_TRUE(checked.ok()) << ok;
    EXPECT_EQ(*checked, ok);
  }
  for (const char* bad : {"", "Acme", "-acme", "acme-", "ac--me", "acme_robotics", "acme robotics",
                          "caf\u00e9", "abcdefghijklmnopqrstuvwxyz0123456789abcd", "acme.io"}) {
    auto checked = CheckHandle("handle", bad);
    EXPECT_EQ(checked.status().code(), StatusCode::kInvalidRequest) << bad;
    EXPECT_EQ(checked.status().message().rfind("handle: ", 0), 0u) << checked.status().message();
  }
}

TEST(OrgHandleTest, HandleFromNameFoldsCaseAccentsAndPunctuation) {
  EXPECT_EQ(HandleFromName("Acme"), "acme");
  EXPECT_EQ(HandleFromName("Acme Robotics, Inc."), "acme-robotics-inc");
  EXPECT_EQ(HandleFromName("  --Acme__  "), "acme");
  EXPECT_EQ(HandleFromName("Soci\u00e9t\u00e9 G\u00e9n\u00e9rale"), "societe-generale");
  EXPECT_EQ(HandleFromName("Stra\u00dfe"), "strasse");
  EXPECT_EQ(HandleFromName("\uff21\uff43\uff4d\uff45"), "acme");  // full-width
  EXPECT_EQ(HandleFromName("\u65e5\u672c"), "");                  // no Latin letter left
  EXPECT_EQ(HandleFromName("R&D \u2014 \u00c5lborg 2"), "r-d-alborg-2");
  const std::string cut = HandleFromName(std::string(38, 'a') + " b c");
  EXPECT_EQ(cut, std::string(38, 'a'));  // cut to 39, then the trailing '-' dropped
  EXPECT_TRUE(
      CheckHandle("handle", HandleFromName("The Quick Brown Fox Jumps Over The Lazy Dog")).ok());
}

TEST(OrgHandleTest, HandleWithSuffixStaysAHandle) {
  EXPECT_EQ(HandleWithSuffix("acme", "-x1y2"), "acme-x1y2");
  const std::string long_one = std::string(33, 'a') + "-" + std::string(5, 'b');  // 39
  const std::string with = HandleWithSuffix(long_one, "-x1y2");
  EXPECT_EQ(with, std::string(33, 'a') + "-x1y2");  // cut to 34, trailing '-' dropped
  EXPECT_TRUE(CheckHandle("handle", with).ok());
}

}  // namespace
}  // namespace tfzo
