#ifndef TFZO_AUTH_PASSWORD_HASHER_H_
#define TFZO_AUTH_PASSWORD_HASHER_H_

#include <string>

#include "auth/bounded_pool.h"
#include "core/result.h"
#include "core/secret.h"

namespace tfzo {

// Hashes and checks passwords with argon2id (libsodium crypto_pwhash_str_alg), at least
// OWASP's minimum of 19 MiB and 2 passes. Each call costs ~19 MiB and tens of ms of CPU, so
// with a `pool` (the server's) every call runs there and waits for it: a flood of sign-ins
// occupies the pool's few threads, not the ones serving everything else, and a call finding
// the pool full answers kUnavailable at once (BoundedPool::Busy). Without one (tests, the
// fuzzer) calls run on the caller's thread. References the pool, which outlives it.
// Thread-safe.
class PasswordHasher {
 public:
  struct Params {
    unsigned long long ops_limit = 2;
    size_t mem_limit = 19u << 20;
  };
  // Far below any safe cost, for tests and fuzzing only: a hash in well under a millisecond.
  static constexpr Params kCheapParams{1, 8192};

  PasswordHasher() : PasswordHasher(Params{}) {}
  explicit PasswordHasher(Params params, BoundedPool* pool = nullptr);

  // kUnavailable when the pool is full.
  Result<std::string> Hash(const Secret& password) const;
  // Whether `password` matches `hash`; kUnavailable when the pool is full.
  Result<bool> Verify(const std::string& hash, const Secret& password) const;
  // Spends what a Verify costs, so a login for an unknown email is not measurably faster.
  Status VerifyNothing(const Secret& password) const;

 private:
  Result<std::string> HashHere(const Secret& password) const;
  bool VerifyHere(const std::string& hash, const Secret& password) const;

  Params params_;
  BoundedPool* pool_;
  std::string dummy_hash_;
};

}  // namespace tfzo

#endif  // TFZO_AUTH_PASSWORD_HASHER_H_
