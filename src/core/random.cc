#include "core/random.h"

#include <sodium.h>

#include <stdexcept>

namespace tfzo {

SodiumRandom::SodiumRandom() {
  if (sodium_init() < 0) throw std::runtime_error("libsodium failed to initialize");
}

void SodiumRandom::Fill(std::span<uint8_t> out) { randombytes_buf(out.data(), out.size()); }

uint32_t SodiumRandom::Uniform(uint32_t upper) { return randombytes_uniform(upper); }

}  // namespace tfzo
