#include "auth/compact_key_state.h"

namespace tfzo {

static_assert(sizeof(CompactKeyState) == 128, "a cached key's state is two cache lines");

std::optional<CompactKeyState> CompactKeyState::From(const KeyState& state) {
  CompactKeyState c;
  std::optional<InlineId> key_id = InlineId::From(state.key_id);
  std::optional<InlineId> account_id = InlineId::From(state.account_id);
  std::optional<InlineId> org_id = InlineId::From(state.org_id.value_or(""));
  if (!key_id || !account_id || !org_id || (state.org_id && org_id->empty())) return std::nullopt;
  c.key_id_ = *key_id;
  c.account_id_ = *account_id;
  c.org_id_ = *org_id;
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
