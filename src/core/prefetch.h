#ifndef TFZO_CORE_PREFETCH_H_
#define TFZO_CORE_PREFETCH_H_

#include <cstddef>
#include <cstdint>

namespace tfzo {

// Starts loading every cache line of [data, data + size) without waiting for any: for the
// parts of a cold entry a request is about to read, so that their cache and TLB misses overlap
// instead of following one another. A hint only: it never faults and changes no result.
inline void PrefetchRange(const void* data, size_t size) {
  constexpr uintptr_t kLine = 64;
  const uintptr_t begin = reinterpret_cast<uintptr_t>(data) & ~(kLine - 1);
  const uintptr_t end = reinterpret_cast<uintptr_t>(data) + size;
  for (uintptr_t line = begin; line < end; line += kLine) {
    __builtin_prefetch(reinterpret_cast<const void*>(line));
  }
}

}  // namespace tfzo

#endif  // TFZO_CORE_PREFETCH_H_
