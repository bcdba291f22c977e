#include "auth/password_hasher.h"

#include <sodium.h>

#include <stdexcept>

namespace tfzo {

PasswordHasher::PasswordHasher(Params params, BoundedPool* pool) : params_(params), pool_(pool) {
  if (sodium_init() < 0) throw std::runtime_error("libsodium failed to initialize");
  auto dummy = HashHere(Secret("not a password of anyone"));
  if (!dummy.ok()) throw std::runtime_error("argon2id is not available");
  dummy_hash_ = std::move(dummy).value();
}

Result<std::string> PasswordHasher::HashHere(const Secret& password) const {
  char out[crypto_pwhash_STRBYTES];
  const std::string& p = password.reveal();
  if (crypto_pwhash_str_alg(out, p.data(), p.size(), params_.ops_limit, params_.mem_limit,
                            crypto_pwhash_ALG_ARGON2ID13) != 0) {
    return Internal("password hashing ran out of memory");
  }
  return std::string(out);
}

bool PasswordHasher::VerifyHere(const std::string& hash, const Secret& password) const {
  const std::string& p = password.reveal();
  return crypto_pwhash_str_verify(hash.c_str(), p.data(), p.size()) == 0;
}

Result<std::string> PasswordHasher::Hash(const Secret& password) const {
  if (pool_ == nullptr) return HashHere(password);
  Result<std::string> hashed = Internal("password hashing did not run");
  RETURN_IF_ERROR(pool_->Run([&] { hashed = HashHere(password); }));
  return hashed;
}

Result<bool> PasswordHasher::Verify(const std::string& hash, const Secret& password) const {
  if (pool_ == nullptr) return VerifyHere(hash, password);
  bool matches = false;
  RETURN_IF_ERROR(pool_->Run([&] { matches = VerifyHere(hash, password); }));
  return matches;
}

Status PasswordHasher::VerifyNothing(const Secret& password) const {
  return Verify(dummy_hash_, password).status();
}

}  // namespace tfzo
