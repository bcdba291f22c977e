#ifndef TFZO_AUTH_FLAT_TABLE_H_
#define TFZO_AUTH_FLAT_TABLE_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <utility>
#include <vector>

namespace tfzo {

// A hash table for a million small entries looked up at random, where std::unordered_map's
// chain (bucket, then the node before, then the node) costs three dependent cache misses,
// each with a TLB miss at that size. Here a lookup reads one 8-byte slot (linear probing in
// a flat array: the next slots share its cache line) and then the one node it points to.
// (leveldb keeps its own HandleTable for the same reason.)
//
// A slot holds 32 bits of the key's hash and the node's index: the hash bits pick the home
// slot and filter the probes, so growing and deleting (backward shift, no tombstones) never
// read a node. Nodes live in fixed-size chunks that never move; freed ones are reused.
// Memory: the node, plus 8 bytes for each of 1.14 to 2.3 slots per entry (load <= 7/8).
//
// The interface is the one ShardedCache needs of a shard's table. Hash must spread its bits
// (the high 32 bits of its result are used); K needs ==. Not thread-safe: ShardedCache's
// shard lock guards it.
template <typename K, typename V, typename Hash>
class FlatTable {
 public:
  const V* Find(const K& key) const {
    const size_t i = SlotOf(key);
    return i == kNoSlot ? nullptr : &NodeAt(slots_[i].node).value;
  }
  V* Find(const K& key) { return const_cast<V*>(std::as_const(*this).Find(key)); }

  // Returns true when `key` was not in the table.
  bool InsertOrAssign(const K& key, V value) {
    if ((size_ + 1) * 8 > slots_.size() * 7) Grow();
    const uint32_t h = HashBits(key);
    for (size_t i = h & mask_;; i = (i + 1) & mask_) {
      Slot& s = slots_[i];
      if (s.node == kEmpty) {
        s = Slot{h, NewNode(key, std::move(value))};
        ++size_;
        return true;
      }
      if (s.hash == h && NodeAt(s.node).key == key) {
        NodeAt(s.node).value = std::move(value);
        return false;
      }
    }
  }

  size_t Erase(const K& key) {
    const size_t i = SlotOf(key);
    if (i == kNoSlot) return 0;
    RemoveSlot(i);
    return 1;
  }

  // Erases every entry for which pred(key, value) holds; returns how many.
  template <typename Pred>
  size_t EraseIf(Pred pred) {
    std::vector<K> doomed;
    for (const Slot& s : slots_) {
      if (s.node != kEmpty && pred(NodeAt(s.node).key, NodeAt(s.node).value)) {
        doomed.push_back(NodeAt(s.node).key);
      }
    }
    for (const K& key : doomed) Erase(key);
    return doomed.size();
  }

  size_t size() const { return size_; }

 private:
  static constexpr uint32_t kEmpty = 0;  // node numbers start at 1
  static constexpr size_t kChunkNodes = 64;

  struct Slot {
    uint32_t hash = 0;
    uint32_t node = kEmpty;
  };
  struct Node {
    K key;
    V value;
  };

  static constexpr size_t kNoSlot = SIZE_MAX;

  // The slot holding `key`, or kNoSlot.
  size_t SlotOf(const K& key) const {
    const uint32_t h = HashBits(key);
    for (size_t i = h & mask_; !slots_.empty(); i = (i + 1) & mask_) {
      const Slot& s = slots_[i];
      if (s.node == kEmpty) break;
      if (s.hash == h && NodeAt(s.node).key == key) return i;
    }
    return kNoSlot;
  }

  static uint32_t HashBits(const K& key) {
    return static_cast<uint32_t>(static_cast<uint64_t>(Hash{}(key)) >> 32);
  }

  Node& NodeAt(uint32_t n) { return chunks_[(n - 1) / kChunkNodes][(n - 1) % kChunkNodes]; }
  const Node& NodeAt(uint32_t n) const {
    return chunks_[(n - 1) / kChunkNodes][(n - 1) % kChunkNodes];
  }

  uint32_t NewNode(const K& key, V value) {
    uint32_t n;
    if (!free_.empty()) {
      n = free_.back();
      free_.pop_back();
    } else {
      if (next_node_ % kChunkNodes == 0) chunks_.push_back(std::make_unique<Node[]>(kChunkNodes));
      n = static_cast<uint32_t>(++next_node_);
    }
    NodeAt(n) = Node{key, std::move(value)};
    return n;
  }

  // Frees slot i's node and closes the gap: each following slot of the run moves back into
  // the hole unless its home lies cyclically after the hole (then it would become unreachable).
  void RemoveSlot(size_t hole) {
    NodeAt(slots_[hole].node) = Node{};  // drop what the value holds now
    free_.push_back(slots_[hole].node);
    for (size_t j = (hole + 1) & mask_;; j = (j + 1) & mask_) {
      if (slots_[j].node == kEmpty) break;
      const size_t home = slots_[j].hash & mask_;
      if (((j - home) & mask_) >= ((j - hole) & mask_)) {
        slots_[hole] = slots_[j];
        hole = j;
      }
    }
    slots_[hole] = Slot{};
    --size_;
  }

  void Grow() {
    std::vector<Slot> old = std::move(slots_);
    slots_.assign(old.empty() ? 16 : old.size() * 2, Slot{});
    mask_ = slots_.size() - 1;
    for (const Slot& s : old) {
      if (s.node == kEmpty) continue;
      size_t i = s.hash & mask_;
      while (slots_[i].node != kEmpty) i = (i + 1) & mask_;
      slots_[i] = s;
    }
  }

  std::vector<Slot> slots_;  // a power of two in size, or empty
  size_t mask_ = 0;
  size_t size_ = 0;
  std::vector<std::unique_ptr<Node[]>> chunks_;
  size_t next_node_ = 0;        // nodes handed out from the chunks so far
  std::vector<uint32_t> free_;  // node numbers to reuse
};

}  // namespace tfzo

#endif  // TFZO_AUTH_FLAT_TABLE_H_
