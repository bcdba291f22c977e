#include "core/digest.h"

#include <openssl/evp.h>
#include <sodium.h>

#include <memory>
#include <stdexcept>

namespace tfzo {

Digest Sha256(std::string_view bytes) {
  // OpenSSL 3 looks the algorithm up and allocates a context on every EVP_Digest() call; on
  // the key-check hot path that costs more than the hash. Fetch once, one context a thread.
  static EVP_MD* const kSha256 = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  thread_local const std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(),
                                                                                 &EVP_MD_CTX_free);
  Digest out;
  unsigned int len = 0;
  if (kSha256 == nullptr || ctx == nullptr || EVP_DigestInit_ex(ctx.get(), kSha256, nullptr) != 1 ||
      EVP_DigestUpdate(ctx.get(), bytes.data(), bytes.size()) != 1 ||
      EVP_DigestFinal_ex(ctx.get(), out.data(), &len) != 1 || len != out.size()) {
    throw std::runtime_error("SHA-256 failed");
  }
  return out;
}

std::string ToHex(const Digest& digest) {
  char hex[2 * std::tuple_size_v<Digest> + 1];
  sodium_bin2hex(hex, sizeof hex, digest.data(), digest.size());
  return std::string(hex, sizeof hex - 1);
}

}  // namespace tfzo
