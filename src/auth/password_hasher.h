#ifndef TFZO_AUTH_PASSWORD_HASHER_H_
#define TFZO_AUTH_PASSWORD_HASHER_H_

#include <string>

#include "core/result.h"
#include "core/secret.h"

namespace tfzo {

// Hashes and checks passwords with argon2id (libsodium crypto_pwhash_str_alg), at least
// OWASP's minimum of 19 MiB and 2 passes. Thread-safe; each call costs ~19 MiB and tens of ms.
class PasswordHasher {
 public:
  struct Params {
    unsigned long long ops_limit = 2;
    size_t mem_limit = 19u << 20;
  };
  // Far below any safe cost, for tests and fuzzing only: a hash in well under a millisecond.
  static constexpr Params kCheapParams{1, 8192};

  PasswordHasher() : PasswordHasher(Params{}) {}
  explicit PasswordHasher(Params params);

  Result<std::string> Hash(const Secret& password) const;
  bool Verify(const std::string& hash, const Secret& password) const;
  // Spends what a Verify costs, so a login for an unknown email is not measurably faster.
  void VerifyNothing(const Secret& password) const;

 private:
  Params params_;
  std::string dummy_hash_;
};

}  // namespace tfzo

#endif  // TFZO_AUTH_PASSWORD_HASHER_H_
