#ifndef TFZO_CLI_SCAN_H_
#define TFZO_CLI_SCAN_H_

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "core/secret.h"

namespace tfzo::cli {

// One key found in a text: its 1-based line and its hint (`tfzo_...x9Qa`), which is what is
// shown; the key itself only for `scan --revoke`, which reports it to the server.
struct KeyMatch {
  size_t line = 0;
  std::string hint;
  Secret key{};
};

// Every API key in `text` (docs/spec/KEYS.md): `tfzo_` followed by 36 base62 characters whose last
// 6 are the checksum of the first 30, and not followed by another base62 character (part of a
// longer token). The checksum rules out lookalikes, so a match is a real key. Pure.
std::vector<KeyMatch> FindKeys(std::string_view text);

// The added lines of a unified diff (`git diff -U0`) that contain keys, as file (the `+++ b/`
// name) and the new file's line number. Pure.
struct DiffMatch {
  std::string file;
  size_t line = 0;
  std::string hint;
};
std::vector<DiffMatch> FindKeysInDiff(std::string_view diff);

}  // namespace tfzo::cli

#endif  // TFZO_CLI_SCAN_H_
