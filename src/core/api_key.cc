#include "core/api_key.h"

#include <sodium.h>
#include <zlib.h>

#include <array>

namespace tfzo {
namespace {

constexpr std::array<int8_t, 256> MakeDigitTable() {
  std::array<int8_t, 256> table{};
  table.fill(-1);
  for (size_t i = 0; i < kBase62Alphabet.size(); ++i) {
    table[static_cast<uint8_t>(kBase62Alphabet[i])] = static_cast<int8_t>(i);
  }
  return table;
}
constexpr std::array<int8_t, 256> kDigitOf = MakeDigitTable();

uint32_t Crc32(std::string_view bytes) {
  uLong crc = crc32(0L, Z_NULL, 0);
  return static_cast<uint32_t>(
      crc32(crc, reinterpret_cast<const Bytef*>(bytes.data()), static_cast<uInt>(bytes.size())));
}

}  // namespace

void EncodeChecksum(uint32_t crc, char out[kKeyChecksumLength]) {
  for (size_t i = kKeyChecksumLength; i-- > 0;) {
    out[i] = kBase62Alphabet[crc % 62];
    crc /= 62;
  }
}

bool IsWellFormedKey(std::string_view key) {
  if (key.size() != kKeyLength || !key.starts_with(kKeyPrefix)) return false;
  std::string_view rest = key.substr(kKeyPrefix.size());
  for (char c : rest) {
    if (kDigitOf[static_cast<uint8_t>(c)] < 0) return false;
  }
  char expected[kKeyChecksumLength];
  EncodeChecksum(Crc32(rest.substr(0, kKeyBodyLength)), expected);
  return rest.substr(kKeyBodyLength) == std::string_view(expected, kKeyChecksumLength);
}

std::string KeyFromBody(std::string_view body) {
  std::string key;
  key.reserve(kKeyLength);
  key.append(kKeyPrefix).append(body);
  char checksum[kKeyChecksumLength];
  EncodeChecksum(Crc32(body), checksum);
  key.append(checksum, kKeyChecksumLength);
  return key;
}

std::string GenerateKey(Random& random) {
  std::string body(kKeyBodyLength, '0');
  FillFromAlphabet(random, kBase62Alphabet, body);
  std::string key = KeyFromBody(body);
  sodium_memzero(body.data(), body.size());
  return key;
}

std::string KeyHint(std::string_view key) {
  std::string hint(kKeyPrefix);
  hint += "...";
  hint += key.substr(key.size() >= 4 ? key.size() - 4 : 0);
  return hint;
}

}  // namespace tfzo
