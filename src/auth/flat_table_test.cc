#include "auth/flat_table.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <unordered_map>

namespace tfzo {
namespace {

// Only 3 bits of hash (in the high half, which FlatTable uses): long probe runs, runs that
// wrap around the end of the slot array, and many equal hashes with different keys.
struct CrowdedHash {
  size_t operator()(uint64_t key) const { return static_cast<size_t>(key % 8) << 32; }
};

// A mixing hash, as a digest's bits are.
struct MixedHash {
  size_t operator()(uint64_t key) const {
    key ^= key >> 33;
    key *= 0xff51afd7ed558ccdULL;
    key ^= key >> 33;
    return static_cast<size_t>(key);
  }
};

template <typename Hash>
void CheckAgainstUnorderedMap(uint64_t key_range, int steps) {
  FlatTable<uint64_t, std::string, Hash> table;
  std::unordered_map<uint64_t, std::string> model;
  std::mt19937_64 rng(42);
  for (int step = 0; step < steps; ++step) {
    const uint64_t key = rng() % key_range;
    switch (rng() % 4) {
      case 0:
      case 1: {
        const std::string value = "v" + std::to_string(step);
        EXPECT_EQ(table.InsertOrAssign(key, value), !model.contains(key));
        model[key] = value;
        break;
      }
      case 2:
        EXPECT_EQ(table.Erase(key), model.erase(key));
        break;
      case 3: {
        const std::string* found = table.Find(key);
        auto it = model.find(key);
        ASSERT_EQ(found != nullptr, it != model.end()) << "key " << key << " step " << step;
        if (found != nullptr) {
          EXPECT_EQ(*found, it->second);
        }
        break;
      }
    }
    ASSERT_EQ(table.size(), model.size());
  }
  for (uint64_t key = 0; key < key_range; ++key) {
    const std::string* found = table.Find(key);
    auto it = model.find(key);
    ASSERT_EQ(found != nullptr, it != model.end()) << "key " << key;
    if (found != nullptr) {
      EXPECT_EQ(*found, it->second);
    }
  }
}

TEST(FlatTableTest, BehavesAsAMapUnderCollisionsAndWrapAround) {
  CheckAgainstUnorderedMap<CrowdedHash>(200, 20000);
}

TEST(FlatTableTest, BehavesAsAMapThroughGrowthAndShrinking) {
  CheckAgainstUnorderedMap<MixedHash>(5000, 200000);
}

TEST(FlatTableTest, EraseIfErasesExactlyTheMatchingEntries) {
  FlatTable<uint64_t, uint64_t, CrowdedHash> table;
  for (uint64_t k = 0; k < 1000; ++k) table.InsertOrAssign(k, k * 10);
  EXPECT_EQ(table.EraseIf([](uint64_t k, uint64_t v) { return k % 3 == 0 && v == k * 10; }), 334u);
  EXPECT_EQ(table.size(), 666u);
  for (uint64_t k = 0; k < 1000; ++k) {
    const uint64_t* v = table.Find(k);
    if (k % 3 == 0) {
      EXPECT_EQ(v, nullptr) << k;
    } else {
      ASSERT_NE(v, nullptr) << k;
      EXPECT_EQ(*v, k * 10);
    }
  }
  // Freed nodes are reused: refilling does not grow past what 1000 entries took.
  for (uint64_t k = 0; k < 1000; k += 3) EXPECT_TRUE(table.InsertOrAssign(k, 1));
  EXPECT_EQ(table.size(), 1000u);
  EXPECT_EQ(table.EraseIf([](uint64_t, uint64_t) { return true; }), 1000u);
  EXPECT_EQ(table.Find(7), nullptr);
}

}  // namespace
}  // namespace tfzo
