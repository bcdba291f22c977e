#ifndef TFZO_SERVICE_KEY_LIST_H_
#define TFZO_SERVICE_KEY_LIST_H_

#include <optional>
#include <string>
#include <string_view>

#include "core/result.h"
#include "model/records.h"

namespace tfzo {

// The query parameters of a keys list (GET /api/keys, GET /api/orgs/{org}/keys) as the request
// gave them (percent-decoded); nullopt: absent.
struct KeyListParams {
  std::optional<std::string> status{};
  std::optional<std::string> q{};
  std::optional<std::string> limit{};
  std::optional<std::string> cursor{};
};

inline constexpr int kMaxKeyPage = 100;

// The per-account quotas' defaults (--max-active-keys, --max-orgs; the store enforces them).
inline constexpr int kDefaultMaxActiveKeys = 1000;
inline constexpr int kDefaultMaxOrgs = 100;

// The KeyQuery they ask for (owner and time left to the caller), or kInvalidRequest naming the
// parameter: status other than active, expired, revoked or needs_attention; q not clean text or
// over 100 characters; limit not a number from 1 to 100; cursor not one this server made.
Result<KeyQuery> ReadKeyListParams(const KeyListParams& params);

// The opaque cursor of the JSON answer ("next_cursor"), and back.
std::string EncodeKeyCursor(const KeyCursor& cursor);
std::optional<KeyCursor> DecodeKeyCursor(std::string_view text);

// The 409 quota_exceeded answers: the limit and what to do.
Status ActiveKeysQuotaExceeded(int max);
Status OrgsQuotaExceeded(int max);

}  // namespace tfzo

#endif  // TFZO_SERVICE_KEY_LIST_H_
