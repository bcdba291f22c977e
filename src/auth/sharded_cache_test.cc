#include "auth/sharded_cache.h"

#include <gtest/gtest.h>

#include <string>

#include "core/time.h"

namespace tfzo {
namespace {

struct Entry {
  int state = 0;
  std::string later;  // a part filled after the entry, as KeyVerifier's record
};

class ShardedCacheTest : public ::testing::Test {
 protected:
  FakeClock clock_{FromUnix(1800000000)};
  ShardedCache<std::string, Entry> cache_{clock_, std::chrono::seconds(60)};
};

TEST_F(ShardedCacheTest, VisitReadsAFreshEntryInPlace) {
  ASSERT_TRUE(cache_.Insert("a", Entry{1, ""}, cache_.epoch()));
  int seen = 0;
  EXPECT_TRUE(cache_.Visit("a", clock_.Now(), [&](const Entry& e) { seen = e.state; }));
  EXPECT_EQ(seen, 1);
  EXPECT_FALSE(cache_.Visit("b", clock_.Now(), [&](const Entry&) { seen = 2; }));
  clock_.Advance(std::chrono::seconds(60));
  EXPECT_FALSE(cache_.Visit("a", clock_.Now(), [&](const Entry&) { seen = 3; }));
  EXPECT_EQ(seen, 1);
}

TEST_F(ShardedCacheTest, UpdateFillsAPartOfAnEntryThatNoChangeDroppedMeanwhile) {
  ASSERT_TRUE(cache_.Insert("a", Entry{1, ""}, cache_.epoch()));
  ASSERT_TRUE(cache_.Insert("b", Entry{2, ""}, cache_.epoch()));
  const auto later = [&](const std::string& key) {
    std::string out;
    cache_.Visit(key, clock_.Now(), [&](const Entry& e) { out = e.later; });
    return out;
  };

  uint64_t epoch = cache_.epoch();  // read before the store
  EXPECT_TRUE(cache_.Update("a", epoch, [](Entry& e) { e.later = "read"; }));
  EXPECT_EQ(later("a"), "read");

  // An invalidation between the read's start and its fill: the fill is refused, even for an
  // entry the invalidation did not touch, as Insert does.
  epoch = cache_.epoch();
  cache_.Erase("a");
  EXPECT_FALSE(cache_.Update("b", epoch, [](Entry& e) { e.later = "stale"; }));
  EXPECT_EQ(later("b"), "");

  // No entry to fill: nothing is made.
  EXPECT_FALSE(cache_.Update("a", cache_.epoch(), [](Entry& e) { e.later = "new"; }));
  EXPECT_FALSE(cache_.Visit("a", clock_.Now(), [](const Entry&) {}));
  EXPECT_EQ(cache_.size(), 1u);
}

}  // namespace
}  // namespace tfzo
