#include "cli/scan.h"

#include <gtest/gtest.h>

#include "core/api_key.h"

namespace tfzo::cli {
namespace {

// A real key for a body, and the same key with its last character changed (a lookalike that
// matches the gitleaks regex but not the checksum).
std::string Key(std::string_view body) { return KeyFromBody(body); }
std::string Lookalike(std::string_view body) {
  std::string k = KeyFromBody(body);
  k.back() = k.back() == 'a' ? 'b' : 'a';
  return k;
}

constexpr std::string_view kBody1 = "Zq3N8xW2pL7vR4tY9uB1cD6eF0gH5j";
constexpr std::string_view kBody2 = "abcdefghijklmnopqrstuvwxyz0123";

TEST(FindKeysTest, FindsKeysWithLinesAndHints) {
  std::string k1 = Key(kBody1), k2 = Key(kBody2);
  std::string text = "first line\nAPI_KEY=" + k1 + "\n\n  \"key\": \"" + k2 + "\", " + k1 + "\n";
  auto m = FindKeys(text);
  ASSERT_EQ(m.size(), 3u);
  EXPECT_EQ(m[0].line, 2u);
  EXPECT_EQ(m[0].hint, KeyHint(k1));
  EXPECT_EQ(m[1].line, 4u);
  EXPECT_EQ(m[1].hint, KeyHint(k2));
  EXPECT_EQ(m[2].line, 4u);
  // A hint, never the key.
  EXPECT_EQ(m[0].hint.find(kBody1), std::string::npos);
}

TEST(FindKeysTest, TheSpecsTestVectorIsFound) {
  auto m = FindKeys("x tfzo_abcdefghijklmnopqrstuvwxyz01232LolCm y");
  ASSERT_EQ(m.size(), 1u);
  EXPECT_EQ(m[0].hint, "tfzo_...olCm");
}

TEST(FindKeysTest, LookalikesAreNotReported) {
  EXPECT_TRUE(FindKeys("KEY=" + Lookalike(kBody1) + "\n").empty());
  EXPECT_TRUE(FindKeys("tfzo_short\ntfzo_").empty());
  EXPECT_TRUE(FindKeys("tfzo_" + std::string(36, '-')).empty());
}

TEST(FindKeysTest, AKeyInsideALongerTokenIsNotAKey) {
  EXPECT_TRUE(FindKeys(Key(kBody1) + "Q").empty());
  EXPECT_EQ(FindKeys(Key(kBody1) + "-").size(), 1u);
  EXPECT_EQ(FindKeys("prefix" + Key(kBody1)).size(), 1u);
}

TEST(FindKeysTest, KeyAtEndOfTextAndInBinary) {
  EXPECT_EQ(FindKeys(Key(kBody1)).size(), 1u);
  std::string binary("\0\x01\xff", 3);
  binary += Key(kBody2);
  binary += std::string("\0", 1);
  EXPECT_EQ(FindKeys(binary).size(), 1u);
}

TEST(FindKeysInDiffTest, AddedLinesOnlyWithNewLineNumbers) {
  std::string diff =
      "diff --git a/app.env b/app.env\n"
      "new file mode 100644\n"
      "index 0000000..1111111\n"
      "--- /dev/null\n"
      "+++ b/app.env\n"
      "@@ -0,0 +1,3 @@\n"
      "+A=1\n"
      "+KEY=" +
      Key(kBody1) +
      "\n"
      "+++ also content: " +
      Key(kBody2) +
      "\n"
      "diff --git a/old.txt b/old.txt\n"
      "--- a/old.txt\n"
      "+++ b/old.txt\n"
      "@@ -10,2 +12 @@\n"
      "-gone " +
      Key(kBody2) +
      "\n"
      "-also gone\n"
      "+ok " +
      Lookalike(kBody2) +
      "\n"
      "@@ -40 +41,2 @@\n"
      "-x\n"
      "+y\n"
      "+z " +
      Key(kBody2) + "\n";
  auto m = FindKeysInDiff(diff);
  ASSERT_EQ(m.size(), 3u);
  EXPECT_EQ(m[0].file, "app.env");
  EXPECT_EQ(m[0].line, 2u);
  EXPECT_EQ(m[0].hint, KeyHint(Key(kBody1)));
  EXPECT_EQ(m[1].file, "app.env");
  EXPECT_EQ(m[1].line, 3u);
  EXPECT_EQ(m[2].file, "old.txt");
  EXPECT_EQ(m[2].line, 42u);
}

TEST(FindKeysInDiffTest, QuotedPaths) {
  std::string diff =
      "--- /dev/null\n+++ \"b/sp\\303\\251cial\\tname\"\n@@ -0,0 +1 @@\n+" + Key(kBody1) + "\n";
  auto m = FindKeysInDiff(diff);
  ASSERT_EQ(m.size(), 1u);
  EXPECT_EQ(m[0].file,
            "sp\xc3\xa9"
            "cial\tname");
}

}  // namespace
}  // namespace tfzo::cli
