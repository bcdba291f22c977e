#ifndef TFZO_CORE_RANDOM_H_
#define TFZO_CORE_RANDOM_H_

#include <cstdint>
#include <span>

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

// libsodium's CSPRNG (randombytes_buf, randombytes_uniform).
class SodiumRandom final : public Random {
 public:
  SodiumRandom();
  void Fill(std::span<uint8_t> out) override;
  uint32_t Uniform(uint32_t upper) override;
};

}  // namespace tfzo

#endif  // TFZO_CORE_RANDOM_H_
