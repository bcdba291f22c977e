#include "testing/memory_store.h"

#include <cstdio>
#include <cstdlib>

#include "store/open_store.h"

namespace tfzo::testing {

std::unique_ptr<Store> OpenMemoryStore() {
  auto store = OpenStore("sqlite::memory:");
  if (!store.ok()) {
    std::fprintf(stderr, "cannot open an in-memory store: %s\n", store.status().message().c_str());
    std::abort();
  }
  return std::move(store).value();
}

}  // namespace tfzo::testing
