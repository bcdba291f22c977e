#ifndef TFZO_CORE_RANDOM_H_
#define TFZO_CORE_RANDOM_H_

#include <cstdint>
#include <span>
#include <string_view>

namespace tfzo {

// A source of cryptographically secure randomness. Injected wherever secrets or ids are
// made, so tests can see what was drawn. Implementations are thread-safe.
class Random {
 public:
  virtual ~Random() = default;
  virtual void Fill(std::span<uint8_t> out) = 0;
  // A uniform integer in [0, upper), without modulo bias.
  virtual uint32_t Uniform(uint32_t upper) = 0;
};

// Fills `out` with characters of `alphabet` (2 to 256 of them), each uniform and independent:
// bytes from `random.Fill`, those past the largest multiple of the alphabet's size dropped (so
// no character is likelier than another), the rest taken modulo that size. A few Fill calls
// for the whole string, where Uniform() per character costs a system call each with
// libsodium (74 per key created). The bytes drawn are wiped: they are the string's secret.
void FillFromAlphabet(Random& random, std::string_view alphabet, std::span<char> out);

// libsodium's CSPRNG (randombytes_buf, randombytes_uniform).
class SodiumRandom final : public Random {
 public:
  SodiumRandom();
  void Fill(std::span<uint8_t> out) override;
  uint32_t Uniform(uint32_t upper) override;
};

}  // namespace tfzo

#endif  // TFZO_CORE_RANDOM_H_
