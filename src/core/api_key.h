#ifndef TFZO_CORE_API_KEY_H_
#define TFZO_CORE_API_KEY_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "core/random.h"

namespace tfzo {

// The API key format of docs/spec/KEYS.md: "tfzo_" + 30 base62 characters + a 6-character base62
// CRC-32 of those 30 characters. Pure functions; thread-safe.
inline constexpr std::string_view kKeyPrefix = "tfzo_";
inline constexpr std::string_view kBase62Alphabet =
    "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
inline constexpr size_t kKeyBodyLength = 30;
inline constexpr size_t kKeyChecksumLength = 6;
inline constexpr size_t kKeyLength = kKeyPrefix.size() + kKeyBodyLength + kKeyChecksumLength;

// Prefix, length, alphabet and checksum; allocates nothing and reads no store.
bool IsWellFormedKey(std::string_view key);

// The key for a 30-character body (checksum appended). `body` must be base62.
std::string KeyFromBody(std::string_view body);

// A new key with a uniformly random body.
std::string GenerateKey(Random& random);

// The non-secret hint people use to tell keys apart: "tfzo_...x9Qa" (last 4 characters).
std::string KeyHint(std::string_view key);

// CRC-32 of `body` written as 6 base62 digits, most significant first.
void EncodeChecksum(uint32_t crc, char out[kKeyChecksumLength]);

}  // namespace tfzo

#endif  // TFZO_CORE_API_KEY_H_
