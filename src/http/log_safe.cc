#include "http/log_safe.h"

namespace tfzo::http {

namespace {

constexpr std::string_view kRedacted = "[redacted]";

// The length of the key prefix at the start of `s`: "tfzo_" in any case, or with the
// underscore percent-encoded ("tfzo%5F"); 0 if there is none.
size_t KeyPrefixLength(std::string_view s) {
  if (s.size() < 5) return 0;
  for (size_t i = 0; i < 4; ++i) {
    if ((s[i] | 0x20) != "tfzo"[i]) return 0;
  }
  if (s[4] == '_') return 5;
  if (s.size() >= 7 && s[4] == '%' && s[5] == '5' && (s[6] | 0x20) == 'f') return 7;
  return 0;
}

bool IsKeyCharacter(char c) {
  return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

}  // namespace

std::string LogSafe(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  AppendLogSafe(text, out);
  return out;
}

void AppendLogSafe(std::string_view text, std::string& out) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  for (size_t i = 0; i < text.size();) {
    if (const size_t prefix = KeyPrefixLength(text.substr(i)); prefix > 0) {
      out.append(text.substr(i, prefix));
      i += prefix;
      size_t end = i;
      while (end < text.size() && IsKeyCharacter(text[end])) ++end;
      if (end > i) out.append(kRedacted);
      i = end;
      continue;
    }
    const auto c = static_cast<unsigned char>(text[i++]);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c >= 0x20 && c < 0x7f) {
      out += static_cast<char>(c);
    } else {
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 0xf];
    }
  }
}

}  // namespace tfzo::http
