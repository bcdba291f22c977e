#ifndef TFZO_AUTH_SHARDED_CACHE_H_
#define TFZO_AUTH_SHARDED_CACHE_H_

#include <array>
#include <atomic>
#include <chrono>
#include <functional>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <unordered_map>
#include <utility>

namespace tfzo {

// A read-mostly map from K to V, split into shards with a reader/writer lock each, so
// concurrent readers never queue on one lock. Values are copied out under the read lock: V is
// a shared_ptr to an immutable value, or a small trivially copyable struct kept inline. Entries
// older than `max_age` count as misses (the periodic re-check that backs up invalidation).
//
// Fills race with invalidations: a reader that missed, read the store, and then inserts must
// not resurrect a value that an invalidation dropped meanwhile. Every invalidation bumps an
// epoch first; Insert() with the epoch seen before the store read is refused once the epoch
// moved. Thread-safe.
template <typename K, typename V, typename Hash = std::hash<K>>
class ShardedCache {
 public:
  using Clock = std::chrono::steady_clock;

  explicit ShardedCache(Clock::duration max_age) : max_age_(max_age) {}

  // The epoch to pass to Insert(), read before reading the store.
  uint64_t epoch() const { return epoch_.load(std::memory_order_acquire); }

  std::optional<V> Find(const K& key) const {
    const Shard& shard = ShardOf(key);
    std::shared_lock lock(shard.mu);
    auto it = shard.map.find(key);
    if (it == shard.map.end() || Clock::now() - it->second.filled_at > max_age_) {
      return std::nullopt;
    }
    return it->second.value;
  }

  // Inserts unless an invalidation happened since `epoch` was read. Returns whether it did.
  bool Insert(const K& key, V value, uint64_t epoch) {
    Shard& shard = ShardOf(key);
    std::unique_lock lock(shard.mu);
    if (epoch_.load(std::memory_order_acquire) != epoch) return false;
    auto [it, inserted] = shard.map.insert_or_assign(key, Entry{std::move(value), Clock::now()});
    if (inserted) size_.fetch_add(1, std::memory_order_relaxed);
    return true;
  }

  void Erase(const K& key) {
    epoch_.fetch_add(1, std::memory_order_acq_rel);
    Shard& shard = ShardOf(key);
    std::unique_lock lock(shard.mu);
    size_.fetch_sub(shard.map.erase(key), std::memory_order_relaxed);
  }

  // Refuses fills that started before now, without dropping anything.
  void Bump() { epoch_.fetch_add(1, std::memory_order_acq_rel); }

  // Drops every entry for which `pred(key, value)` holds.
  template <typename Pred>
  void EraseIf(Pred pred) {
    epoch_.fetch_add(1, std::memory_order_acq_rel);
    for (Shard& shard : shards_) {
      std::unique_lock lock(shard.mu);
      for (auto it = shard.map.begin(); it != shard.map.end();) {
        if (pred(it->first, it->second.value)) {
          it = shard.map.erase(it);
          size_.fetch_sub(1, std::memory_order_relaxed);
        } else {
          ++it;
        }
      }
    }
  }

  void Clear() {
    EraseIf([](const K&, const V&) { return true; });
  }

  size_t size() const { return size_.load(std::memory_order_relaxed); }

 private:
  static constexpr size_t kShards = 64;
  struct Entry {
    V value;
    Clock::time_point filled_at;
  };
  struct alignas(64) Shard {
    mutable std::shared_mutex mu;
    std::unordered_map<K, Entry, Hash> map;
  };

  Shard& ShardOf(const K& key) { return shards_[Hash{}(key) % kShards]; }
  const Shard& ShardOf(const K& key) const { return shards_[Hash{}(key) % kShards]; }

  const Clock::duration max_age_;
  std::array<Shard, kShards> shards_;
  std::atomic<uint64_t> epoch_{0};
  std::atomic<size_t> size_{0};
};

}  // namespace tfzo

#endif  // TFZO_AUTH_SHARDED_CACHE_H_
