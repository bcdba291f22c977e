#include "service/validation.h"

#include <fmt/format.h>

namespace tfzo {

size_t CodePoints(std::string_view utf8) {
  size_t n = 0;
  for (unsigned char c : utf8) n += (c & 0xC0) != 0x80;
  return n;
}

Status CheckText(std::string_view field, std::string_view value, size_t min, size_t max,
                 bool multiline) {
  const size_t n = CodePoints(value);
  if (n < min || n > max) {
    return InvalidRequest(min > 0 ? fmt::format("{}: must be {} to {} characters", field, min, max)
                                  : fmt::format("{}: must be at most {} characters", field, max));
  }
  for (unsigned char c : value) {
    const bool allowed_space = multiline && (c == '\n' || c == '\t' || c == '\r');
    if ((c < 0x20 && !allowed_space) || c == 0x7f) {
      return InvalidRequest(fmt::format("{}: must not contain control characters", field));
    }
  }
  return Status::Ok();
}

Status CheckEmail(std::string_view field, std::string_view email) {
  const size_t at = email.find('@');
  if (email.size() > 254 || at == std::string_view::npos || at == 0 || at + 1 == email.size() ||
      email.find('@', at + 1) != std::string_view::npos ||
      email.find_first_of(" \t\r\n") != std::string_view::npos) {
    return InvalidRequest(fmt::format("{}: must be an email address like ada@example.com", field));
  }
  for (unsigned char c : email) {
    if (c < 0x20 || c == 0x7f) return InvalidRequest(fmt::format("{}: invalid character", field));
  }
  return Status::Ok();
}

}  // namespace tfzo
