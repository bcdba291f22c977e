#include "cli/terminal_text.h"

#include <fmt/format.h>

#include <cstdint>

namespace tfzo::cli {
namespace {

// Code points that change how the rest of a line is shown without being visible themselves.
bool IsInvisibleFormatting(uint32_t cp) {
  return cp == 0x061C || cp == 0x200E || cp == 0x200F || (cp >= 0x2028 && cp <= 0x202E) ||
         (cp >= 0x2066 && cp <= 0x2069);
}

// Decodes one UTF-8 sequence at text[i]; returns its length (0 when invalid) and sets `cp`.
size_t DecodeUtf8(std::string_view text, size_t i, uint32_t& cp) {
  const auto b = [&](size_t k) { return static_cast<unsigned char>(text[i + k]); };
  const unsigned char c = b(0);
  size_t len;
  if (c < 0x80) {
    cp = c;
    return 1;
  } else if ((c & 0xE0) == 0xC0) {
    len = 2;
    cp = c & 0x1F;
  } else if ((c & 0xF0) == 0xE0) {
    len = 3;
    cp = c & 0x0F;
  } else if ((c & 0xF8) == 0xF0) {
    len = 4;
    cp = c & 0x07;
  } else {
    return 0;
  }
  if (i + len > text.size()) return 0;
  for (size_t k = 1; k < len; ++k) {
    if ((b(k) & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (b(k) & 0x3F);
  }
  // Overlong forms, surrogates and values past U+10FFFF are not UTF-8.
  static constexpr uint32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
  if (cp < kMin[len] || (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF) return 0;
  return len;
}

bool NeedsEscape(uint32_t cp, bool keep_newlines) {
  if (cp == '\n') return !keep_newlines;
  return cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp <= 0x9F) || IsInvisibleFormatting(cp);
}

}  // namespace

std::string TerminalSafe(std::string_view text, bool keep_newlines) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size();) {
    uint32_t cp = 0;
    const size_t len = DecodeUtf8(text, i, cp);
    if (len == 0) {
      out += fmt::format("\\x{:02x}", static_cast<unsigned char>(text[i]));
      ++i;
      continue;
    }
    if (!NeedsEscape(cp, keep_newlines)) {
      out.append(text.substr(i, len));
    } else if (cp < 0x80) {
      out += fmt::format("\\x{:02x}", cp);
    } else {
      out += fmt::format("\\u{:04x}", cp);
    }
    i += len;
  }
  return out;
}

void MakeTerminalSafe(nlohmann::json& j) {
  if (j.is_string()) {
    const std::string& s = j.get_ref<const std::string&>();
    std::string safe = TerminalSafe(s);
    if (safe != s) j = std::move(safe);
  } else if (j.is_structured()) {
    for (auto& item : j) MakeTerminalSafe(item);
  }
}

std::string TerminalSafeJson(std::string_view body) {
  if (TerminalSafe(body, /*keep_newlines=*/true) == body) return std::string(body);
  auto j = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return TerminalSafe(body, /*keep_newlines=*/true);
  // ensure_ascii: \u escapes for everything non-ASCII; the replace handler for invalid UTF-8.
  return j.dump(-1, ' ', /*ensure_ascii=*/true, nlohmann::json::error_handler_t::replace);
}

}  // namespace tfzo::cli
