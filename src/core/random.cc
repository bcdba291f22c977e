#include "core/random.h"

#include <sodium.h>

#include <array>
#include <stdexcept>

namespace tfzo {

SodiumRandom::SodiumRandom() {
  if (sodium_init() < 0) throw std::runtime_error("libsodium failed to initialize");
}

void FillFromAlphabet(Random& random, std::string_view alphabet, std::span<char> out) {
  const size_t n = alphabet.size();
  const size_t limit = 256 - 256 % n;  // bytes at or past it would favour the first characters
  std::array<uint8_t, 64> bytes;
  size_t used = bytes.size();
  for (char& c : out) {
    for (;;) {
      if (used == bytes.size()) {
        random.Fill(bytes);
        used = 0;
      }
      const uint8_t b = bytes[used++];
      if (b < limit) {
        c = alphabet[b % n];
        break;
      }
    }
  }
  sodium_memzero(bytes.data(), bytes.size());
}

void SodiumRandom::Fill(std::span<uint8_t> out) { randombytes_buf(out.data(), out.size()); }

uint32_t SodiumRandom::Uniform(uint32_t upper) { return randombytes_uniform(upper); }

}  // namespace tfzo
