#include "core/time.h"

#include <fmt/chrono.h>

#include <ctime>

namespace tfzo {
namespace {

bool ReadDigits(std::string_view text, size_t pos, size_t n, int& out) {
  if (pos + n > text.size()) return false;
  out = 0;
  for (size_t i = pos; i < pos + n; ++i) {
    if (text[i] < '0' || text[i] > '9') return false;
    out = out * 10 + (text[i] - '0');
  }
  return true;
}

}  // namespace

std::string FormatRfc3339(Time t) {
  // Through time_t, not system_clock::time_point: that one counts nanoseconds and would
  // overflow outside 1678-2262, while RFC 3339 years run from 0000 to 9999.
  return fmt::format("{:%FT%TZ}", fmt::gmtime(static_cast<std::time_t>(ToUnix(t))));
}

Result<Time> ParseRfc3339(std::string_view text) {
  using namespace std::chrono;
  const Status bad = InvalidRequest("not an RFC 3339 time (like 2026-11-27T06:48:27Z)");
  int y, mo, d, h, mi, s;
  if (!ReadDigits(text, 0, 4, y) || text.size() < 20 || text[4] != '-' ||
      !ReadDigits(text, 5, 2, mo) || text[7] != '-' || !ReadDigits(text, 8, 2, d) ||
      (text[10] != 'T' && text[10] != 't') || !ReadDigits(text, 11, 2, h) || text[13] != ':' ||
      !ReadDigits(text, 14, 2, mi) || text[16] != ':' || !ReadDigits(text, 17, 2, s)) {
    return bad;
  }
  size_t pos = 19;
  if (pos < text.size() && text[pos] == '.') {
    ++pos;
    size_t digits = 0;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') ++pos, ++digits;
    if (digits == 0) return bad;
  }
  if (pos >= text.size()) return bad;
  int offset_minutes = 0;
  if (text[pos] == 'Z' || text[pos] == 'z') {
    ++pos;
  } else if (text[pos] == '+' || text[pos] == '-') {
    int oh, om;
    if (!ReadDigits(text, pos + 1, 2, oh) || pos + 3 >= text.size() || text[pos + 3] != ':' ||
        !ReadDigits(text, pos + 4, 2, om) || oh > 23 || om > 59) {
      return bad;
    }
    offset_minutes = (text[pos] == '+' ? 1 : -1) * (oh * 60 + om);
    pos += 6;
  } else {
    return bad;
  }
  if (pos != text.size()) return bad;
  const year_month_day ymd{year(y), month(static_cast<unsigned>(mo)),
                           day(static_cast<unsigned>(d))};
  if (!ymd.ok() || h > 23 || mi > 59 || s > 60) return bad;
  return Time(sys_days(ymd)) + hours(h) + minutes(mi) + seconds(s) - minutes(offset_minutes);
}

}  // namespace tfzo
