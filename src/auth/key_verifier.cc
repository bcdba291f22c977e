#include "auth/key_verifier.h"

#include <fmt/format.h>

#include "core/api_key.h"
#include "core/digest.h"

namespace tfzo {

KeyVerifier::KeyVerifier(Store& store, const Clock& clock, UsageRecorder* usage)
    : store_(store), clock_(clock), usage_(usage) {}

Result<KeyState> KeyVerifier::Verify(std::string_view key, bool record_use) {
  if (!IsWellFormedKey(key)) {
    return Status(StatusCode::kKeyMalformed,
                  "The API key is malformed (incomplete or mistyped): copy the whole key again; "
                  "it starts with tfzo_ and is 41 characters long.");
  }
  auto found = store_.FindKeyBySecret(Sha256(key));
  if (!found.ok()) {
    if (found.status().code() != StatusCode::kNotFound) return found.status();
    return Status(StatusCode::kKeyInvalid,
                  "The API key is not known to this server: check the host and profile, or "
                  "create a new key in the Accounts interface.");
  }
  KeyState state = std::move(found).value();
  if (state.key_revoked_at) {
    return Status(StatusCode::kKeyRevoked,
                  fmt::format("This API key was revoked on {}; create a new key.",
                              FormatRfc3339(*state.key_revoked_at)));
  }
  if (state.secret_revoked_at) {
    return Status(StatusCode::kKeyRevoked,
                  fmt::format("This API key's value was replaced by a rotation on {}; use the "
                              "new value.",
                              FormatRfc3339(*state.secret_revoked_at)));
  }
  const Time now = clock_.Now();
  if (state.expires_at && *state.expires_at <= now) {
    return Status(StatusCode::kKeyExpired,
                  fmt::format("This API key expired on {}; create a new key or rotate this one "
                              "with a new expiration.",
                              FormatRfc3339(*state.expires_at)));
  }
  if (record_use && usage_ != nullptr) usage_->Record(state.key_id, now);
  return state;
}

Status KeyVerifier::CheckOrgAccess(const KeyState& key, std::string_view org_id) {
  ASSIGN_OR_RETURN(auto role, store_.FindRole(org_id, key.account_id));
  if (!role) {
    return Forbidden("The key's account is not a member of this organization.");
  }
  if (key.org_id && *key.org_id != org_id) {
    auto scope = store_.FindOrg(*key.org_id);
    const std::string scope_name = scope.ok() ? scope->name : *key.org_id;
    return Status(StatusCode::kOrgOutOfScope,
                  fmt::format("This key is scoped to organization \"{}\" ({}); use an unscoped "
                              "key or one scoped to this organization.",
                              scope_name, *key.org_id));
  }
  return Status::Ok();
}

}  // namespace tfzo
