#include "core/random.h"

#include <gtest/gtest.h>

#include <array>
#include <deque>
#include <map>
#include <string>

#include "core/api_key.h"
#include "core/ids.h"

namespace tfzo {
namespace {

// Hands out scripted bytes, then zeros; counts the calls. Uniform() is never expected.
class ScriptedRandom final : public Random {
 public:
  explicit ScriptedRandom(std::deque<uint8_t> bytes = {}) : bytes_(std::move(bytes)) {}
  void Fill(std::span<uint8_t> out) override {
    ++fills;
    for (uint8_t& b : out) {
      b = bytes_.empty() ? 0 : bytes_.front();
      if (!bytes_.empty()) bytes_.pop_front();
    }
  }
  uint32_t Uniform(uint32_t) override {
    ADD_FAILURE() << "one draw per character";
    return 0;
  }
  int fills = 0;

 private:
  std::deque<uint8_t> bytes_;
};

TEST(FillFromAlphabetTest, BytesPastTheLastWholeAlphabetAreDropped) {
  // 62 characters: 248 = 4 * 62 bytes map evenly; 248 to 255 would favour the first 8.
  ScriptedRandom random({255, 248, 0, 61, 62, 247, 250, 123});
  std::array<char, 5> out;
  FillFromAlphabet(random, kBase62Alphabet, out);
  const std::string expected = {kBase62Alphabet[0], kBase62Alphabet[61], kBase62Alphabet[0],
                                kBase62Alphabet[247 % 62], kBase62Alphabet[123 % 62]};
  EXPECT_EQ(std::string(out.begin(), out.end()), expected);
  EXPECT_EQ(random.fills, 1);
}

TEST(FillFromAlphabetTest, KeysAndIdsAreDrawnInBulkAndEveryCharacterComesUp) {
  ScriptedRandom scripted;
  GenerateKey(scripted);
  NewId("key", scripted);
  EXPECT_LE(scripted.fills, 2) << "a few Fill calls, not one per character";

  SodiumRandom random;
  std::map<char, int> seen;
  for (int i = 0; i < 200; ++i) {
    const std::string key = GenerateKey(random);
    ASSERT_TRUE(IsWellFormedKey(key)) << key;
    for (char c : NewId("x", random).substr(2)) ++seen[c];
  }
  EXPECT_EQ(seen.size(), 62u);  // 4400 draws: each character about 71 times
  for (const auto& [c, n] : seen) EXPECT_GT(n, 20) << c;
}

}  // namespace
}  // namespace tfzo
