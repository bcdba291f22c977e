#include "core/totp.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <array>

namespace tfzo {

int64_t TotpStep(Time at) {
  const int64_t seconds = ToUnix(at);
  // Floor division: a time before the epoch is in a negative step, not step 0.
  return seconds >= 0 ? seconds / kTotpStepSeconds
                      : -((-seconds + kTotpStepSeconds - 1) / kTotpStepSeconds);
}

std::string HotpCode(std::string_view secret, uint64_t counter, int digits) {
  std::array<unsigned char, 8> message;
  for (int i = 7; i >= 0; --i) {
    message[static_cast<size_t>(i)] = static_cast<unsigned char>(counter & 0xff);
    counter >>= 8;
  }
  std::array<unsigned char, EVP_MAX_MD_SIZE> mac;
  unsigned int mac_size = 0;
  HMAC(EVP_sha1(), secret.data(), static_cast<int>(secret.size()), message.data(), message.size(),
       mac.data(), &mac_size);
  // Dynamic truncation: 31 bits from the offset the last nibble names.
  const unsigned offset = mac[mac_size - 1] & 0x0f;
  const uint32_t binary = (static_cast<uint32_t>(mac[offset] & 0x7f) << 24) |
                          (static_cast<uint32_t>(mac[offset + 1]) << 16) |
                          (static_cast<uint32_t>(mac[offset + 2]) << 8) | mac[offset + 3];
  uint64_t modulus = 1;
  for (int i = 0; i < digits; ++i) modulus *= 10;
  std::string code = std::to_string(binary % modulus);
  return std::string(static_cast<size_t>(digits) - code.size(), '0') + code;
}

std::optional<int64_t> MatchTotp(std::string_view secret, std::string_view code, Time at) {
  if (code.size() != static_cast<size_t>(kTotpDigits)) return std::nullopt;
  const int64_t now = TotpStep(at);
  std::optional<int64_t> found;
  // Every candidate is computed and compared, so the time taken says nothing about which.
  for (int64_t step = now - kTotpDrift; step <= now + kTotpDrift; ++step) {
    if (step < 0) continue;
    const std::string expected = HotpCode(secret, static_cast<uint64_t>(step));
    if (CRYPTO_memcmp(expected.data(), code.data(), code.size()) == 0 && !found) found = step;
  }
  return found;
}

}  // namespace tfzo
