#include "auth/compact_key_state.h"

#include <cstring>

namespace tfzo {

static_assert(sizeof(CompactKeyState) == 128, "a cached key's state is two cache lines");

bool CompactKeyState::Id::Set(std::string_view id) {
  if (id.size() > kCapacity) return false;
  std::memcpy(data_, id.data(), id.size());
  size_ = static_cast<uint8_t>(id.size());
  return true;
}

std::optional<CompactKeyState> CompactKeyState::From(const KeyState& state) {
  CompactKeyState c;
  if (!c.key_id_.Set(state.key_id) || !c.account_id_.Set(state.account_id)) return std::nullopt;
  if (state.org_id && (state.org_id->empty() || !c.org_id_.Set(*state.org_id))) {
    return std::nullopt;
  }
  c.expires_at_ = Pack(state.expires_at);
  c.key_revoked_at_ = Pack(state.key_revoked_at);
  c.secret_revoked_at_ = Pack(state.secret_revoked_at);
  c.permissions_ = state.permissions.bits();
  c.ip_restricted_ = state.ip_restricted;
  c.expiration_required_ = state.policy.expiration_required;
  c.policy_allowed_ = state.policy.allowed.bits();
  c.rotate_by_ = Pack(state.policy.rotate_by);
  c.lifetime_ends_ = Pack(state.policy.lifetime_ends);
  return c;
}

KeyState CompactKeyState::Expand() const {
  KeyState state;
  state.key_id = key_id_.view();
  state.account_id = account_id_.view();
  if (!org_id_.view().empty()) state.org_id = std::string(org_id_.view());
  state.expires_at = Unpack(expires_at_);
  state.key_revoked_at = Unpack(key_revoked_at_);
  state.secret_revoked_at = Unpack(secret_revoked_at_);
  state.permissions = Permissions::FromBits(permissions_);
  state.ip_restricted = ip_restricted_;
  state.policy = {.rotate_by = Unpack(rotate_by_),
                  .lifetime_ends = Unpack(lifetime_ends_),
                  .expiration_required = expiration_required_,
                  .allowed = Permissions::FromBits(policy_allowed_)};
  return state;
}

}  // namespace tfzo
