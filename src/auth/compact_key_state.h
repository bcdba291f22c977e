#ifndef TFZO_AUTH_COMPACT_KEY_STATE_H_
#define TFZO_AUTH_COMPACT_KEY_STATE_H_

#include <cstdint>
#include <limits>
#include <optional>
#include <string_view>

#include "auth/inline_id.h"
#include "model/store.h"

namespace tfzo {

// A KeyState as KeyVerifier's table keeps it: the ids inline and the times as seconds, so a
// cached key is one table node (about 190 bytes with the digest) instead of four allocations
// (about 360 bytes: node, shared state, two id strings). Every id this server makes is at most
// 26 characters (InlineId); a longer one makes From() refuse, and that key is then read from
// the store at each check instead of cached. The whole is 128 bytes, two cache lines. A value
// type; trivially copyable.
class CompactKeyState {
 public:
  static std::optional<CompactKeyState> From(const KeyState& state);
  KeyState Expand() const;
  bool HasKeyId(std::string_view key_id) const { return key_id_.view() == key_id; }
  bool HasOrgId(std::string_view org_id) const { return org_id_.view() == org_id; }

 private:
  static constexpr int64_t kNoTime = std::numeric_limits<int64_t>::min();
  static int64_t Pack(const std::optional<Time>& t) { return t ? ToUnix(*t) : kNoTime; }
  static std::optional<Time> Unpack(int64_t t) {
    return t == kNoTime ? std::nullopt : std::optional<Time>(FromUnix(t));
  }

  InlineId key_id_;
  InlineId account_id_;
  InlineId org_id_;          // empty: the key is not scoped (org ids are never empty)
  uint8_t permissions_ = 0;  // Permissions::bits()
  bool ip_restricted_ = false;
  // KeyState::Policy: its flag and byte fit in the padding; the two times cost 16 bytes.
  bool expiration_required_ = false;
  uint8_t policy_allowed_ = 0;
  int64_t expires_at_ = kNoTime;
  int64_t key_revoked_at_ = kNoTime;
  int64_t secret_revoked_at_ = kNoTime;
  int64_t rotate_by_ = kNoTime;
  int64_t lifetime_ends_ = kNoTime;
};

}  // namespace tfzo

#endif  // TFZO_AUTH_COMPACT_KEY_STATE_H_
