#include "core/api_key.h"

#include <gtest/gtest.h>

#include <set>

namespace tfzo {
namespace {

// The test vectors of docs/spec/KEYS.md.
TEST(ApiKeyTest, MatchesSpecVectors) {
  EXPECT_EQ(KeyFromBody("000000000000000000000000000000"),
            "tfzo_0000000000000000000000000000002C8GjS");
  EXPECT_EQ(KeyFromBody("abcdefghijklmnopqrstuvwxyz0123"),
            "tfzo_abcdefghijklmnopqrstuvwxyz01232LolCm");
}

TEST(ApiKeyTest, ChecksumIsBase62OfCrc32) {
  char out[kKeyChecksumLength];
  EncodeChecksum(0x77E5DB82u, out);
  EXPECT_EQ(std::string(out, 6), "2C8GjS");
  EncodeChecksum(0, out);
  EXPECT_EQ(std::string(out, 6), "000000");
}

TEST(ApiKeyTest, AcceptsWellFormedKeys) {
  EXPECT_TRUE(IsWellFormedKey("tfzo_0000000000000000000000000000002C8GjS"));
  EXPECT_TRUE(IsWellFormedKey("tfzo_abcdefghijklmnopqrstuvwxyz01232LolCm"));
}

TEST(ApiKeyTest, RejectsMalformedKeys) {
  const std::string good = "tfzo_abcdefghijklmnopqrstuvwxyz01232LolCm";
  EXPECT_FALSE(IsWellFormedKey(""));
  EXPECT_FALSE(IsWellFormedKey(good.substr(0, good.size() - 1)));  // truncated
  EXPECT_FALSE(IsWellFormedKey(good + "x"));                       // too long
  EXPECT_FALSE(IsWellFormedKey("tfzx" + good.substr(4)));          // wrong prefix
  EXPECT_FALSE(IsWellFormedKey(" " + good.substr(1)));
  std::string typo = good;
  typo[10] = 'Z';  // one character changed: checksum no longer matches
  EXPECT_FALSE(IsWellFormedKey(typo));
  std::string bad_char = good;
  bad_char[12] = '-';
  EXPECT_FALSE(IsWellFormedKey(bad_char));
  std::string bad_checksum = good;
  bad_checksum.back() = 'n';
  EXPECT_FALSE(IsWellFormedKey(bad_checksum));
}

TEST(ApiKeyTest, GeneratedKeysAreWellFormedAndDistinct) {
  SodiumRandom random;
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    std::string key = GenerateKey(random);
    ASSERT_EQ(key.size(), kKeyLength);
    ASSERT_TRUE(IsWellFormedKey(key));
    seen.insert(key);
  }
  EXPECT_EQ(seen.size(), 1000u);
}

TEST(ApiKeyTest, HintShowsOnlyTheLastFourCharacters) {
  EXPECT_EQ(KeyHint("tfzo_abcdefghijklmnopqrstuvwxyz01232LolCm"), "tfzo_...olCm");
}

}  // namespace
}  // namespace tfzo
