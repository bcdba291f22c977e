#ifndef TFZO_TESTING_MEMORY_STORE_H_
#define TFZO_TESTING_MEMORY_STORE_H_

#include <atomic>
#include <memory>

#include "model/store.h"

namespace tfzo::testing {

// What a shared database's change feed would say about how current a node is (Freshness),
// set by the test instead: the unit tests of what a node does through a database outage
// (tests/integration/test_outage.py takes a real PostgreSQL down). Thread-safe.
class FreshnessSwitch {
 public:
  // From now on the store is not current, and was last at `current_at`.
  void Lose(Time current_at) {
    current_at_.store(ToUnix(current_at));
    current_.store(false);
  }
  void Restore() { current_.store(true); }
  Freshness freshness() const {
    return current_.load() ? Freshness{} : Freshness{false, FromUnix(current_at_.load()), 0};
  }

 private:
  std::atomic<bool> current_{true};
  std::atomic<int64_t> current_at_{0};
};

// A private SQLite store in memory ("sqlite::memory:"), migrated like the server's. For unit
// tests of the layers above the store; aborts the test binary when it cannot be opened. With
// `feed`, which must outlive it, the store's freshness() is the switch's.
std::unique_ptr<Store> OpenMemoryStore(const FreshnessSwitch* feed = nullptr);

}  // namespace tfzo::testing

#endif  // TFZO_TESTING_MEMORY_STORE_H_
