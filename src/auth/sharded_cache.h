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

#include "core/time.h"

namespace tfzo {

// A shard's table for ShardedCache: std::unordered_map behind the interface the cache needs
// (FlatTable offers the same for tables of millions of entries). Not thread-safe.
template <typename K, typename E, typename Hash>
class NodeTable {
 public:
  const E* Find(const K& key) const {
    auto it = map_.find(key);
    return it == map_.end() ? nullptr : &it->second;
  }
  E* Find(const K& key) { return const_cast<E*>(std::as_const(*this).Find(key)); }
  bool InsertOrAssign(const K& key, E entry) {
    return map_.insert_or_assign(key, std::move(entry)).second;
  }
  size_t Erase(const K& key) { return map_.erase(key); }
  template <typename Pred>
  size_t EraseIf(Pred pred) {
    return std::erase_if(map_, [&](const auto& kv) { return pred(kv.first, kv.second); });
  }
  size_t size() const { return map_.size(); }

 private:
  std::unordered_map<K, E, Hash> map_;
};

// A read-mostly map from K to V, split into shards with a reader/writer lock each, so
// concurrent readers never queue on one lock. Values are copied out under the read lock: V is
// a shared_ptr to an immutable value, or a small trivially copyable struct kept inline. Entries
// older than `max_age` count as misses (kForever: entries stay until dropped).
//
// Fills race with invalidations: a reader that missed, read the store, and then inserts must
// not resurrect a value that an invalidation dropped meanwhile. Every invalidation bumps an
// epoch first; Insert() with the epoch seen before the store read is refused once the epoch
// moved. Thread-safe.
//
// Each shard's table is a Table<K, Entry, Hash>: NodeTable by default, FlatTable where a
// lookup among millions of entries should cost one cache miss less.
template <typename K, typename V, typename Hash = std::hash<K>,
          template <typename, typename, typename> class Table = NodeTable>
class ShardedCache {
 public:
  static constexpr std::chrono::seconds kForever = std::chrono::seconds::max();

  // `clock` (which outlives the cache) dates the entries: an entry filled at least `max_age`
  // ago by that clock is stale, so a test moves a FakeClock instead of sleeping.
  ShardedCache(const Clock& clock, std::chrono::seconds max_age)
      : clock_(clock), max_age_(max_age) {}

  // The epoch to pass to Insert(), read before reading the store.
  uint64_t epoch() const { return epoch_.load(std::memory_order_acquire); }

  std::optional<V> Find(const K& key) const { return Find(key, clock_.Now()); }
  // The same at `now`, for a caller that already read the clock (one read per key check).
  std::optional<V> Find(const K& key, Time now) const {
    const Shard& shard = ShardOf(key);
    std::shared_lock lock(shard.mu);
    const Entry* entry = shard.table.Find(key);
    if (entry == nullptr || now - entry->filled_at >= max_age_) return std::nullopt;
    return entry->value;
  }

  // Calls `read(value)` under the read lock when `key` has an entry that is fresh at `now`, so
  // a caller takes only the part it needs (V need not be cheap to copy). Returns whether it did.
  template <typename Read>
  bool Visit(const K& key, Time now, Read read) const {
    const Shard& shard = ShardOf(key);
    std::shared_lock lock(shard.mu);
    const Entry* entry = shard.table.Find(key);
    if (entry == nullptr || now - entry->filled_at >= max_age_) return false;
    read(entry->value);
    return true;
  }

  // Calls `change(value)` on `key`'s entry under the write lock, unless the entry is gone or an
  // invalidation happened since `epoch` was read (as Insert), for a part of an entry filled
  // later from the store. Returns whether it did.
  template <typename Change>
  bool Update(const K& key, uint64_t epoch, Change change) {
    Shard& shard = ShardOf(key);
    std::unique_lock lock(shard.mu);
    if (epoch_.load(std::memory_order_acquire) != epoch) return false;
    Entry* entry = shard.table.Find(key);
    if (entry == nullptr) return false;
    change(entry->value);
    return true;
  }

  // Inserts unless an invalidation happened since `epoch` was read. Returns whether it did.
  bool Insert(const K& key, V value, uint64_t epoch) {
    Shard& shard = ShardOf(key);
    std::unique_lock lock(shard.mu);
    if (epoch_.load(std::memory_order_acquire) != epoch) return false;
    if (shard.table.InsertOrAssign(key, Entry{std::move(value), clock_.Now()})) {
      size_.fetch_add(1, std::memory_order_relaxed);
    }
    return true;
  }

  void Erase(const K& key) {
    epoch_.fetch_add(1, std::memory_order_acq_rel);
    Shard& shard = ShardOf(key);
    std::unique_lock lock(shard.mu);
    size_.fetch_sub(shard.table.Erase(key), std::memory_order_relaxed);
  }

  // Drops every entry for which `pred(key, value)` holds.
  template <typename Pred>
  void EraseIf(Pred pred) {
    epoch_.fetch_add(1, std::memory_order_acq_rel);
    for (Shard& shard : shards_) {
      std::unique_lock lock(shard.mu);
      const size_t erased = shard.table.EraseIf(
          [&](const K& key, const Entry& entry) { return pred(key, entry.value); });
      size_.fetch_sub(erased, std::memory_order_relaxed);
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
    Time filled_at;
  };
  struct alignas(64) Shard {
    mutable std::shared_mutex mu;
    Table<K, Entry, Hash> table;
  };

  Shard& ShardOf(const K& key) { return shards_[Hash{}(key) % kShards]; }
  const Shard& ShardOf(const K& key) const { return shards_[Hash{}(key) % kShards]; }

  const Clock& clock_;
  const std::chrono::seconds max_age_;
  std::array<Shard, kShards> shards_;
  std::atomic<uint64_t> epoch_{0};
  std::atomic<size_t> size_{0};
};

}  // namespace tfzo

#endif  // TFZO_AUTH_SHARDED_CACHE_H_
