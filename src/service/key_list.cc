#include "service/key_list.h"

#include <fmt/format.h>

#include <charconv>

#include "core/base32.h"
#include "service/validation.h"

namespace tfzo {
namespace {

// "k1.<created_at, Unix seconds>.<seq>", base32: opaque to clients, versioned for the server.
constexpr std::string_view kCursorPrefix = "k1.";

bool ParseInt(std::string_view text, int64_t& out) {
  if (text.empty()) return false;
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, out);
  return ec == std::errc() && ptr == end;
}

}  // namespace

std::string EncodeKeyCursor(const KeyCursor& cursor) {
  return Base32Encode(fmt::format("{}{}.{}", kCursorPrefix, ToUnix(cursor.created_at), cursor.seq));
}

std::optional<KeyCursor> DecodeKeyCursor(std::string_view text) {
  if (text.empty() || text.size() > 64) return std::nullopt;
  std::optional<std::string> plain = Base32Decode(text);
  if (!plain || !std::string_view(*plain).starts_with(kCursorPrefix)) return std::nullopt;
  std::string_view rest = std::string_view(*plain).substr(kCursorPrefix.size());
  const size_t dot = rest.find('.');
  if (dot == std::string_view::npos) return std::nullopt;
  int64_t at = 0, seq = 0;
  if (!ParseInt(rest.substr(0, dot), at) || !ParseInt(rest.substr(dot + 1), seq) || at < 0 ||
      seq < 0) {
    return std::nullopt;
  }
  return KeyCursor{.created_at = FromUnix(at), .seq = seq};
}

Result<KeyQuery> ReadKeyListParams(const KeyListParams& params) {
  KeyQuery query;
  if (params.status) {
    const std::string& s = *params.status;
    if (s == "active") {
      query.state = KeyQuery::State::kActive;
    } else if (s == "expired") {
      query.state = KeyQuery::State::kExpired;
    } else if (s == "revoked") {
      query.state = KeyQuery::State::kRevoked;
    } else if (s == "needs_attention") {
      query.state = KeyQuery::State::kNeedsAttention;
    } else {
      return InvalidRequest("status: must be active, expired, revoked or needs_attention");
    }
  }
  if (params.q) {
    ASSIGN_OR_RETURN(query.text, CheckText("q", *params.q, 0, 100));
  }
  if (params.limit) {
    int64_t limit = 0;
    if (!ParseInt(*params.limit, limit) || limit < 1 || limit > kMaxKeyPage) {
      return InvalidRequest(fmt::format("limit: must be a number from 1 to {}", kMaxKeyPage));
    }
    query.limit = static_cast<int>(limit);
  }
  if (params.cursor) {
    query.after = DecodeKeyCursor(*params.cursor);
    if (!query.after) {
      return InvalidRequest("cursor: not a cursor from this list; use the next_cursor it answered");
    }
  }
  return query;
}

Status ActiveKeysQuotaExceeded(int max) {
  return Status(StatusCode::kQuotaExceeded,
                fmt::format("You have {} active API key{}, the most this server allows: revoke "
                            "the keys you no longer use, then create this one.",
                            max, max == 1 ? "" : "s"));
}

Status OrgsQuotaExceeded(int max) {
  return Status(StatusCode::kQuotaExceeded,
                fmt::format("You are a member of {} organization{}, the most this server allows: "
                            "leave or delete one you no longer use, then try again.",
                            max, max == 1 ? "" : "s"));
}

}  // namespace tfzo
