#ifndef TFZO_CORE_IDS_H_
#define TFZO_CORE_IDS_H_

#include <string>
#include <string_view>

#include "core/random.h"

namespace tfzo {

// An opaque id: a type prefix and 22 random base62 characters (about 131 bits), e.g.
// "key_4fQ...". Random, so ids reveal neither counts nor order.
std::string NewId(std::string_view prefix, Random& random);

// A random token of `bytes` bytes, base64url without padding (session tokens, CSRF tokens).
std::string NewToken(Random& random, size_t bytes = 32);

}  // namespace tfzo

#endif  // TFZO_CORE_IDS_H_
