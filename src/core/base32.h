#ifndef TFZO_CORE_BASE32_H_
#define TFZO_CORE_BASE32_H_

#include <optional>
#include <string>
#include <string_view>

namespace tfzo {

// RFC 4648 base32 (A-Z, 2-7): how TOTP secrets are shown to people and put in otpauth:// URIs.
// Encode pads with '=' only when `pad` (otpauth URIs and the console show it unpadded).
std::string Base32Encode(std::string_view bytes, bool pad = false);
// Case-insensitive; spaces and trailing '=' are ignored. nullopt for any other character or a
// length no encoding has.
std::optional<std::string> Base32Decode(std::string_view text);

}  // namespace tfzo

#endif  // TFZO_CORE_BASE32_H_
