#ifndef TFZO_MODEL_KEY_FLAGS_H_
#define TFZO_MODEL_KEY_FLAGS_H_

// What needs a person's attention about an active key (docs/spec/API.md "Key flags"): the one
// rule behind KeyJson's "flags", /api/v1/me's, and the keys lists' status=needs_attention
// (SqlStore reads the same thresholds). Free functions over a KeyRecord; no state.

#include <chrono>
#include <optional>
#include <string_view>
#include <vector>

#include "core/time.h"
#include "model/records.h"

namespace tfzo {

// A key unused (or never used since it was created) this long is flagged unused_90_days; one
// created or rotated this long ago, rotation_due; one that expires within kKeyExpiringWithin,
// expiring_soon.
inline constexpr std::chrono::days kKeyUnusedAfter{90};
inline constexpr std::chrono::days kKeyRotationAfter{90};
inline constexpr std::chrono::days kKeyExpiringWithin{7};

// The key's flags at `now`, in the documented order: "unused_90_days", "rotation_due",
// "expiring_soon", "owner_left_org" (KeyRecord::owner_left_org, as the store read it). None for
// a key that is revoked or expired at `now`.
std::vector<std::string_view> KeyFlags(const KeyRecord& key, Time now);

// The first moment after `now` at which KeyFlags may answer differently with nothing changed
// but the time (a threshold is crossed, or the key expires); nullopt: never. An answer that
// shows the flags may be kept until then.
std::optional<Time> KeyFlagsChangeAt(const KeyRecord& key, Time now);

}  // namespace tfzo

#endif  // TFZO_MODEL_KEY_FLAGS_H_
