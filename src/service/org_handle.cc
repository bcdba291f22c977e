#include "service/org_handle.h"

#include <fmt/format.h>
#include <utf8proc.h>

#include <cstdlib>
#include <memory>

namespace tfzo {
namespace {

bool IsHandleChar(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }

// `s` cut to at most `max` characters, without a '-' at its end.
std::string CutAndTrim(std::string s, size_t max) {
  if (s.size() > max) s.resize(max);
  while (!s.empty() && s.back() == '-') s.pop_back();
  return s;
}

struct FreeDeleter {
  void operator()(utf8proc_uint8_t* p) const { std::free(p); }
};

}  // namespace

Result<std::string> CheckHandle(std::string_view field, std::string_view value) {
  bool ok = !value.empty() && value.size() <= kMaxHandleLength && IsHandleChar(value.front()) &&
            IsHandleChar(value.back());
  for (size_t i = 0; ok && i < value.size(); ++i) {
    ok = IsHandleChar(value[i]) || (value[i] == '-' && value[i - 1] != '-');
  }
  if (!ok) {
    return InvalidRequest(
        fmt::format("{}: must be 1 to {} lower-case letters (a-z), digits and single hyphens, "
                    "starting and ending with a letter or digit, like acme-robotics",
                    field, kMaxHandleLength));
  }
  return std::string(value);
}

std::string HandleFromName(std::string_view name) {
  // Compatibility decomposition and case folding, then the marks dropped: "É" -> "e",
  // "ß" -> "ss", "ﬁ" -> "fi", full-width "Ａ" -> "a".
  utf8proc_uint8_t* folded = nullptr;
  const utf8proc_ssize_t n = utf8proc_map(
      reinterpret_cast<const utf8proc_uint8_t*>(name.data()),
      static_cast<utf8proc_ssize_t>(name.size()), &folded,
      static_cast<utf8proc_option_t>(UTF8PROC_STABLE | UTF8PROC_DECOMPOSE | UTF8PROC_COMPAT |
                                     UTF8PROC_CASEFOLD | UTF8PROC_STRIPMARK));
  std::unique_ptr<utf8proc_uint8_t, FreeDeleter> owned(folded);
  if (n < 0) return "";
  const std::string_view text(reinterpret_cast<const char*>(folded), static_cast<size_t>(n));
  std::string handle;
  for (char c : text) {
    if (IsHandleChar(c)) {
      handle += c;
    } else if (!handle.empty() && handle.back() != '-') {
      handle += '-';
    }
  }
  return CutAndTrim(std::move(handle), kMaxHandleLength);
}

std::string HandleWithSuffix(std::string_view handle, std::string_view suffix) {
  const size_t room = kMaxHandleLength > suffix.size() ? kMaxHandleLength - suffix.size() : 0;
  return CutAndTrim(std::string(handle), room) + std::string(suffix);
}

}  // namespace tfzo
