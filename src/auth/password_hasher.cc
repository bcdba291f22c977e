#include "auth/password_hasher.h"

#include <sodium.h>

#include <stdexcept>

namespace tfzo {

PasswordHasher::PasswordHasher(Params params) : params_(params) {
  if (sodium_init() < 0) throw std::runtime_error("libsodium failed to initialize");
  auto dummy = Hash(Secret("not a password of anyone"));
  if (!dummy.ok()) throw std::runtime_error("argon2id is not available");
  dummy_hash_ = std::move(dummy).value();
}

Result<std::string> PasswordHasher::Hash(const Secret& password) const {
  char out[crypto_pwhash_STRBYTES];
  const std::string& p = password.reveal();
  if (crypto_pwhash_str_alg(out, p.data(), p.size(), params_.ops_limit, params_.mem_limit,
                            crypto_pwhash_ALG_ARGON2ID13) != 0) {
    return Internal("password hashing ran out of memory");
  }
  return std::string(out);
}

bool PasswordHasher::Verify(const std::string& hash, const Secret& password) const {
  const std::string& p = password.reveal();
  return crypto_pwhash_str_verify(hash.c_str(), p.data(), p.size()) == 0;
}

void PasswordHasher::VerifyNothing(const Secret& password) const {
  (void)Verify(dummy_hash_, password);
}

}  // namespace tfzo
