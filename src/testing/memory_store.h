#ifndef TFZO_TESTING_MEMORY_STORE_H_
#define TFZO_TESTING_MEMORY_STORE_H_

#include <memory>

#include "model/store.h"

namespace tfzo::testing {

// A private SQLite store in memory ("sqlite::memory:"), migrated like the server's. For unit
// tests of the layers above the store; aborts the test binary when it cannot be opened.
std::unique_ptr<Store> OpenMemoryStore();

}  // namespace tfzo::testing

#endif  // TFZO_TESTING_MEMORY_STORE_H_
