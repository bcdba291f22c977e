#include "cli/scan.h"

#include <charconv>

#include "core/api_key.h"

namespace tfzo::cli {
namespace {

bool IsBase62(char c) {
  return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

// Unquotes git's C-style quoted path ("a\tb", octal escapes); other paths are returned as is.
std::string UnquoteGitPath(std::string_view s) {
  if (s.size() < 2 || s.front() != '"' || s.back() != '"') return std::string(s);
  s = s.substr(1, s.size() - 2);
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '\\' || i + 1 >= s.size()) {
      out += s[i];
      continue;
    }
    char e = s[++i];
    switch (e) {
      case 'n':
        out += '\n';
        break;
      case 't':
        out += '\t';
        break;
      case 'a':
        out += '\a';
        break;
      case 'b':
        out += '\b';
        break;
      case 'f':
        out += '\f';
        break;
      case 'r':
        out += '\r';
        break;
      case 'v':
        out += '\v';
        break;
      default:
        if (e >= '0' && e <= '7' && i + 2 < s.size()) {
          out += static_cast<char>(((e - '0') << 6) | ((s[i + 1] - '0') << 3) | (s[i + 2] - '0'));
          i += 2;
        } else {
          out += e;
        }
    }
  }
  return out;
}

}  // namespace

std::vector<KeyMatch> FindKeys(std::string_view text) {
  std::vector<KeyMatch> matches;
  size_t line = 1;
  size_t counted_to = 0;  // `line` is the line of text[counted_to]
  size_t pos = 0;
  while ((pos = text.find(kKeyPrefix, pos)) != std::string_view::npos) {
    std::string_view candidate = text.substr(pos, kKeyLength);
    bool ends_here = pos + kKeyLength >= text.size() || !IsBase62(text[pos + kKeyLength]);
    if (candidate.size() == kKeyLength && ends_here && IsWellFormedKey(candidate)) {
      for (; counted_to < pos; ++counted_to) {
        if (text[counted_to] == '\n') ++line;
      }
      matches.push_back({line, KeyHint(candidate), Secret(std::string(candidate))});
      pos += kKeyLength;
    } else {
      pos += kKeyPrefix.size();
    }
  }
  return matches;
}

std::vector<DiffMatch> FindKeysInDiff(std::string_view diff) {
  std::vector<DiffMatch> matches;
  std::string file;
  size_t new_line = 0;
  size_t old_left = 0;  // lines of the current hunk still to come; outside a hunk both are 0
  size_t new_left = 0;
  while (!diff.empty()) {
    size_t end = diff.find('\n');
    std::string_view line = diff.substr(0, end);
    diff = end == std::string_view::npos ? std::string_view() : diff.substr(end + 1);
    if (old_left > 0 || new_left > 0) {  // inside a hunk: "+++ x" is an added line "++ x"
      if (line.starts_with("+")) {
        for (const KeyMatch& m : FindKeys(line.substr(1))) {
          matches.push_back({file, new_line, m.hint});
        }
        ++new_line;
        if (new_left > 0) --new_left;
      } else if (line.starts_with("-")) {
        if (old_left > 0) --old_left;
      } else if (line.starts_with(" ")) {
        ++new_line;
        if (old_left > 0) --old_left;
        if (new_left > 0) --new_left;
      }
      continue;
    }
    if (line.starts_with("+++ ")) {
      std::string name = UnquoteGitPath(line.substr(4));
      file = name == "/dev/null" ? "" : name.starts_with("b/") ? name.substr(2) : name;
    } else if (line.starts_with("@@ ")) {
      // "@@ -a[,b] +c[,d] @@": b old lines and d new lines follow, the new ones from line c.
      auto number = [&](size_t at, size_t& out) {
        const char* last = line.data() + line.size();
        auto [p, ec] = std::from_chars(line.data() + at, last, out);
        return static_cast<size_t>(p - line.data());
      };
      size_t minus = line.find(" -");
      size_t plus = line.find(" +");
      if (minus == std::string_view::npos || plus == std::string_view::npos) continue;
      size_t a = 0;
      old_left = 1;
      size_t at = number(minus + 2, a);
      if (at < line.size() && line[at] == ',') number(at + 1, old_left);
      new_left = 1;
      at = number(plus + 2, new_line);
      if (at < line.size() && line[at] == ',') number(at + 1, new_left);
    }
  }
  return matches;
}

}  // namespace tfzo::cli
