#include "model/key_flags.h"

#include <algorithm>

namespace tfzo {
namespace {

bool ActiveAt(const KeyRecord& key, Time now) {
  return !key.revoked_at && (!key.expires_at || *key.expires_at > now);
}

// When each time-driven flag turns on.
Time UnusedAt(const KeyRecord& key) {
  return key.last_used_at.value_or(key.created_at) + kKeyUnusedAfter;
}
Time RotationDueAt(const KeyRecord& key) {
  return key.rotated_at.value_or(key.created_at) + kKeyRotationAfter;
}

}  // namespace

std::vector<std::string_view> KeyFlags(const KeyRecord& key, Time now) {
  std::vector<std::string_view> flags;
  if (!ActiveAt(key, now)) return flags;
  if (UnusedAt(key) <= now) flags.push_back("unused_90_days");
  if (RotationDueAt(key) <= now) flags.push_back("rotation_due");
  if (key.expires_at && *key.expires_at - kKeyExpiringWithin <= now) {
    flags.push_back("expiring_soon");
  }
  if (key.owner_left_org) flags.push_back("owner_left_org");
  return flags;
}

std::optional<Time> KeyFlagsChangeAt(const KeyRecord& key, Time now) {
  if (key.revoked_at) return std::nullopt;  // flagged never again
  std::optional<Time> first;
  const auto consider = [&](Time t) {
    if (t > now && (!first || t < *first)) first = t;
  };
  consider(UnusedAt(key));
  consider(RotationDueAt(key));
  if (key.expires_at) {
    consider(*key.expires_at - kKeyExpiringWithin);
    consider(*key.expires_at);  // expired: no flags
  }
  return first;
}

}  // namespace tfzo
