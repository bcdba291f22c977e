#ifndef TFZO_CORE_DIGEST_H_
#define TFZO_CORE_DIGEST_H_

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace tfzo {

// SHA-256 of a secret (API key, session token): what the store keeps instead of the secret.
using Digest = std::array<uint8_t, 32>;

// SHA-256 through OpenSSL's EVP interface (SHA-NI where the CPU has it). Thread-safe.
Digest Sha256(std::string_view bytes);

// Lower-case hex, 64 characters: how digests are stored and compared in SQL.
std::string ToHex(const Digest& digest);

}  // namespace tfzo

#endif  // TFZO_CORE_DIGEST_H_
