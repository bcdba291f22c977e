// Fuzzes the key parser of docs/spec/KEYS.md (IsWellFormedKey, KeyFromBody, KeyHint) against an
// independent reading of the contract: a regex-like check plus zlib's crc32 written in base62.
// Any disagreement, or any memory or undefined-behaviour error, aborts.

#include <zlib.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "core/api_key.h"

namespace {

constexpr std::string_view kAlphabet =
    "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

void Check(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "key parser invariant broken: %s\n", what);
    std::abort();
  }
}

bool IsBase62(std::string_view s) {
  for (char c : s) {
    if (kAlphabet.find(c) == std::string_view::npos) return false;
  }
  return true;
}

// The checksum as docs/spec/KEYS.md words it, written without the code under test.
std::string ReferenceChecksum(std::string_view body) {
  uint32_t crc = static_cast<uint32_t>(
      crc32(0L, reinterpret_cast<const Bytef*>(body.data()), static_cast<uInt>(body.size())));
  std::string out(6, '0');
  for (size_t i = 6; i-- > 0;) {
    out[i] = kAlphabet[crc % 62];
    crc /= 62;
  }
  return out;
}

bool ReferenceWellFormed(std::string_view key) {
  return key.size() == 41 && key.substr(0, 5) == "tfzo_" && IsBase62(key.substr(5)) &&
         key.substr(35) == ReferenceChecksum(key.substr(5, 30));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);

  // 1. The parser agrees with the contract on every input.
  const bool well_formed = tfzo::IsWellFormedKey(input);
  Check(well_formed == ReferenceWellFormed(input),
        "IsWellFormedKey disagrees with docs/spec/KEYS.md");
  if (well_formed) {
    Check(input.size() == tfzo::kKeyLength && input.size() == 41,
          "well-formed key of length != 41");
    Check(input.starts_with(tfzo::kKeyPrefix), "well-formed key without the tfzo_ prefix");
    Check(tfzo::KeyFromBody(input.substr(5, 30)) == input, "KeyFromBody(body) != key");
  }

  // 2. The hint never fails and never shows more than the last 4 characters.
  const std::string hint = tfzo::KeyHint(input);
  Check(hint.starts_with("tfzo_..."), "hint without tfzo_...");
  Check(hint.size() == 8 + std::min<size_t>(4, input.size()), "hint of the wrong length");
  Check(std::string_view(hint).substr(8) == input.substr(input.size() - (hint.size() - 8)),
        "hint is not the last 4 characters");

  // 3. Any 30 base62 characters of the input make a key that round-trips, and changing any
  //    one character of it (CRC-32 catches every single substitution) makes it malformed.
  if (size >= 30) {
    std::string body(30, '0');
    for (size_t i = 0; i < 30; ++i) body[i] = kAlphabet[data[i] % 62];
    const std::string key = tfzo::KeyFromBody(body);
    Check(key.size() == 41 && key == "tfzo_" + body + ReferenceChecksum(body),
          "KeyFromBody differs from docs/spec/KEYS.md");
    Check(tfzo::IsWellFormedKey(key), "KeyFromBody made a malformed key");
    if (size >= 32) {
      std::string typo = key;
      const size_t pos = 5 + data[30] % 36;  // a body or checksum character
      const char replacement = kAlphabet[data[31] % 62];
      if (typo[pos] != replacement) {
        typo[pos] = replacement;
        Check(!tfzo::IsWellFormedKey(typo), "a one-character typo passed the checksum");
      }
      Check(!tfzo::IsWellFormedKey(key.substr(0, 40)), "a truncated key passed");
      Check(!tfzo::IsWellFormedKey(key + "0"), "a key with an extra character passed");
      Check(!tfzo::IsWellFormedKey("TFZO_" + key.substr(5)), "a key with a wrong prefix passed");
    }
  }
  return 0;
}
