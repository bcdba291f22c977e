#include "service/validation.h"

#include <fmt/format.h>
#include <utf8proc.h>

#include <cstdlib>
#include <memory>
#include <regex>

namespace tfzo {

namespace {

// The first code point of `text` that text a person types may not hold, as an error of
// `field`; Ok when there is none. Also refuses invalid UTF-8 (overlong forms, surrogates,
// truncated sequences).
Status CheckCodePoints(std::string_view field, std::string_view text, bool multiline) {
  const auto* bytes = reinterpret_cast<const utf8proc_uint8_t*>(text.data());
  const auto size = static_cast<utf8proc_ssize_t>(text.size());
  size_t index = 0;
  for (utf8proc_ssize_t at = 0; at < size; ++index) {
    utf8proc_int32_t cp = 0;
    const utf8proc_ssize_t n = utf8proc_iterate(bytes + at, size - at, &cp);
    if (n <= 0 || cp < 0) return InvalidRequest(fmt::format("{}: must be valid UTF-8", field));
    at += n;
    switch (utf8proc_category(cp)) {
      case UTF8PROC_CATEGORY_CC:
        if (multiline && (cp == '\n' || cp == '\r' || cp == '\t')) continue;
        break;
      case UTF8PROC_CATEGORY_CF:
      case UTF8PROC_CATEGORY_ZL:
      case UTF8PROC_CATEGORY_ZP:
        break;
      default:
        continue;
    }
    return InvalidRequest(
        fmt::format("{}: must not contain control or invisible formatting characters (U+{:04X} at "
                    "character {})",
                    field, static_cast<uint32_t>(cp), index + 1));
  }
  return Status::Ok();
}

struct FreeDeleter {
  void operator()(utf8proc_uint8_t* p) const { std::free(p); }
};

// `text` (valid UTF-8) in NFC.
Result<std::string> Nfc(std::string_view field, std::string_view text) {
  utf8proc_uint8_t* out = nullptr;
  const utf8proc_ssize_t n =
      utf8proc_map(reinterpret_cast<const utf8proc_uint8_t*>(text.data()),
                   static_cast<utf8proc_ssize_t>(text.size()), &out,
                   static_cast<utf8proc_option_t>(UTF8PROC_STABLE | UTF8PROC_COMPOSE));
  std::unique_ptr<utf8proc_uint8_t, FreeDeleter> owned(out);
  if (n < 0) return InvalidRequest(fmt::format("{}: must be valid UTF-8", field));
  return std::string(reinterpret_cast<const char*>(out), static_cast<size_t>(n));
}

// WHATWG HTML, "valid e-mail address" (input type=email), verbatim; the extra rule that the
// domain holds a dot is checked beside it.
const std::regex& WhatwgEmail() {
  static const std::regex re(
      R"(^[a-zA-Z0-9.!#$%&'*+/=?^_`{|}~-]+@[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)"
      R"((?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*$)",
      std::regex::ECMAScript | std::regex::optimize);
  return re;
}

}  // namespace

size_t CodePoints(std::string_view utf8) {
  size_t n = 0;
  for (unsigned char c : utf8) n += (c & 0xC0) != 0x80;
  return n;
}

Result<std::string> CheckText(std::string_view field, std::string_view value, size_t min,
                              size_t max, bool multiline) {
  RETURN_IF_ERROR(CheckCodePoints(field, value, multiline));
  ASSIGN_OR_RETURN(std::string normalized, Nfc(field, value));
  // Normalization never makes a control or format character, but what is stored is what
  // must hold the rule.
  RETURN_IF_ERROR(CheckCodePoints(field, normalized, multiline));
  const size_t n = CodePoints(normalized);
  if (n < min || n > max) {
    return InvalidRequest(min > 0 ? fmt::format("{}: must be {} to {} characters", field, min, max)
                                  : fmt::format("{}: must be at most {} characters", field, max));
  }
  return normalized;
}

Result<std::string> CheckEmail(std::string_view field, std::string_view email) {
  const size_t at = email.find('@');
  if (email.size() > 254 || at == std::string_view::npos ||
      email.find('.', at) == std::string_view::npos ||
      !std::regex_match(email.begin(), email.end(), WhatwgEmail())) {
    return InvalidRequest(fmt::format("{}: must be an email address like ada@example.com", field));
  }
  std::string lower(email);
  for (char& c : lower) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return lower;
}

std::string SanitizeUserAgent(std::string_view user_agent) {
  std::string out(user_agent.substr(0, kMaxUserAgent));
  for (char& c : out) {
    if (c < 0x20 || c > 0x7e) c = '?';
  }
  return out;
}

}  // namespace tfzo
