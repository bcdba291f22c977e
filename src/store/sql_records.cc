#include "store/sql_records.h"

#include "model/org_policy.h"

namespace tfzo {

AccountRecord ReadAccount(const SqlRow& r) {
  return AccountRecord{.id = r.Text("id"),
                       .email = r.Text("email"),
                       .name = r.Text("name"),
                       .password_hash = r.Text("password_hash"),
                       .created_at = r.TimeAt("created_at"),
                       .email_verified_at = r.OptTime("email_verified_at"),
                       .pending_email = r.OptText("pending_email"),
                       .two_factor = r.Int("two_factor") != 0};
}

SessionRecord ReadSession(const SqlRow& r) {
  return SessionRecord{.token_digest = {},
                       .account_id = r.Text("account_id"),
                       .csrf_token = r.Text("csrf_token"),
                       .created_at = r.TimeAt("created_at"),
                       .last_seen_at = r.TimeAt("last_seen_at"),
                       .id = r.Text("id"),
                       .ip = r.Text("ip"),
                       .user_agent = r.Text("user_agent")};
}

SignedIn ReadSignedIn(const SqlRow& r) {
  return SignedIn{.session = {.token_digest = {},
                              .account_id = r.Text("id"),
                              .csrf_token = r.Text("csrf_token"),
                              .created_at = r.TimeAt("session_created_at"),
                              .last_seen_at = r.TimeAt("last_seen_at"),
                              .id = r.Text("session_id"),
                              .ip = r.Text("session_ip"),
                              .user_agent = r.Text("user_agent")},
                  .account = ReadAccount(r)};
}

TokenRecord ReadToken(const SqlRow& r) {
  return TokenRecord{.digest = {},
                     .purpose = r.Text("purpose"),
                     .account_id = r.Text("account_id"),
                     .email = r.Text("email"),
                     .created_at = r.TimeAt("created_at"),
                     .expires_at = r.TimeAt("expires_at"),
                     .used_at = r.OptTime("used_at")};
}

DeviceCodeRecord ReadDeviceCode(const SqlRow& r) {
  return DeviceCodeRecord{.client_name = r.Text("client_name"),
                          .hostname = r.Text("hostname"),
                          .ip = r.Text("ip"),
                          .created_at = r.TimeAt("created_at"),
                          .expires_at = r.TimeAt("expires_at"),
                          .interval_seconds = r.Int("interval_seconds"),
                          .last_poll_at = r.OptTime("last_poll_at"),
                          .status = r.Text("status"),
                          .account_id = r.OptText("account_id"),
                          .key_id = r.OptText("key_id"),
                          .public_key = r.Text("public_key"),
                          .sealed_private_key = r.Text("sealed_private_key"),
                          .sealed_secret = r.OptText("sealed_secret"),
                          .decided_at = r.OptTime("decided_at")};
}

InvitationRecord ReadInvitation(const SqlRow& r) {
  return InvitationRecord{.id = r.Text("id"),
                          .org_id = r.Text("org_id"),
                          .email = r.Text("email"),
                          .role = ParseRole(r.Text("role")).value_or(Role::kMember),
                          .invited_by = r.Text("invited_by"),
                          .created_at = r.TimeAt("created_at"),
                          .expires_at = r.TimeAt("expires_at"),
                          .accepted_at = r.OptTime("accepted_at"),
                          .declined_at = r.OptTime("declined_at"),
                          .canceled_at = r.OptTime("canceled_at"),
                          .org_name = r.Text("org_name"),
                          .org_handle = r.Text("org_handle"),
                          .invited_by_email = r.Text("invited_by_email")};
}

OrgRecord ReadOrg(const SqlRow& r) {
  return OrgRecord{.id = r.Text("id"),
                   .name = r.Text("name"),
                   .created_at = r.TimeAt("created_at"),
                   .handle = r.Text("handle"),
                   .require_two_factor = r.Int("require_two_factor") != 0};
}

MembershipRecord ReadMembership(const SqlRow& r) {
  return MembershipRecord{.org_id = r.Text("org_id"),
                          .org_name = r.Text("org_name"),
                          .account_id = r.Text("account_id"),
                          .email = r.Text("email"),
                          .role = ParseRole(r.Text("role")).value_or(Role::kMember),
                          .org_handle = r.Text("org_handle"),
                          .org_requires_two_factor = r.Int("org_requires_two_factor") != 0,
                          .two_factor = r.Int("two_factor") != 0};
}

std::optional<Role> ReadRole(const SqlRow& r) { return ParseRole(r.Text("role")); }

std::vector<std::string> SplitWords(std::string_view text) {
  std::vector<std::string> words;
  while (!text.empty()) {
    const size_t space = text.find(' ');
    if (space != 0) words.emplace_back(text.substr(0, space));
    text = space == std::string_view::npos ? std::string_view() : text.substr(space + 1);
  }
  return words;
}

std::string JoinWords(const std::vector<std::string>& words) {
  std::string text;
  for (const std::string& w : words) {
    if (!text.empty()) text += ' ';
    text += w;
  }
  return text;
}

KeyRecord ReadKey(const SqlRow& r) {
  return KeyRecord{.id = r.Text("id"),
                   .account_id = r.Text("account_id"),
                   .name = r.Text("name"),
                   .description = r.Text("description"),
                   .hint = r.Text("hint"),
                   .org_id = r.OptText("org_id"),
                   .created_at = r.TimeAt("created_at"),
                   .expires_at = r.OptTime("expires_at"),
                   .last_used_at = r.OptTime("last_used_at"),
                   .rotated_at = r.OptTime("rotated_at"),
                   .revoked_at = r.OptTime("revoked_at"),
                   .org_name = r.Text("org_name"),
                   .email = r.Text("email"),
                   .permissions = Permissions::FromStored(r.Text("permissions")),
                   .allowed_ips = SplitWords(r.Text("allowed_ips")),
                   .previous_valid_until = r.OptTime("previous_valid_until"),
                   .service_account_name = r.OptText("service_account_name"),
                   .exposed_at = r.OptTime("exposed_at"),
                   .owner_left_org = r.Int("owner_left_org") != 0};
}

ServiceAccountRecord ReadServiceAccount(const SqlRow& r) {
  return ServiceAccountRecord{.id = r.Text("id"),
                              .org_id = r.Text("org_id"),
                              .name = r.Text("name"),
                              .description = r.Text("description"),
                              .created_by = r.Text("created_by"),
                              .created_at = r.TimeAt("created_at"),
                              .deleted_at = r.OptTime("deleted_at")};
}

std::optional<Time> ReadRevokedAt(const SqlRow& r) { return r.OptTime("revoked_at"); }

OrgPolicy ReadOrgPolicy(const SqlRow& r) {
  const auto days = [&](std::string_view column) -> std::optional<int> {
    if (r.IsNull(column)) return std::nullopt;
    return static_cast<int>(r.Int(column));
  };
  const std::optional<std::string> allowed = r.OptText("allowed_permissions");
  return OrgPolicy{.max_lifetime_days = days("max_lifetime_days"),
                   .require_expiration = days("require_expiration").value_or(0) != 0,
                   .rotate_every_days = days("rotate_every_days"),
                   .revoke_unused_after_days = days("revoke_unused_after_days"),
                   .allowed_permissions =
                       allowed ? std::optional(Permissions::FromStored(*allowed)) : std::nullopt,
                   .updated_at = r.OptTime("policy_updated_at"),
                   .updated_by = r.OptText("policy_updated_by").value_or("")};
}

KeyState ReadKeyState(const SqlRow& r) {
  return KeyState{.key_id = r.Text("key_id"),
                  .account_id = r.Text("account_id"),
                  .org_id = r.OptText("org_id"),
                  .expires_at = r.OptTime("expires_at"),
                  .key_revoked_at = r.OptTime("key_revoked_at"),
                  .secret_revoked_at = r.OptTime("secret_revoked_at"),
                  .permissions = Permissions::FromStored(r.Text("permissions")),
                  .ip_restricted = r.Int("ip_restricted") != 0,
                  .policy = KeyPolicyOf(ReadOrgPolicy(r), r.TimeAt("since"))};
}

AgentRecord ReadAgent(const SqlRow& r) {
  return AgentRecord{.id = r.Text("id"),
                     .org_id = r.Text("org_id"),
                     .name = r.Text("name"),
                     .host_id = r.OptText("host_id"),
                     .created_at = r.TimeAt("created_at")};
}

HostRecord ReadHost(const SqlRow& r) {
  return HostRecord{.id = r.Text("id"),
                    .org_id = r.Text("org_id"),
                    .name = r.Text("name"),
                    .address = r.Text("address"),
                    .created_at = r.TimeAt("created_at")};
}

EventRecord ReadEvent(const SqlRow& r) {
  return EventRecord{.id = r.Text("id"),
                     .at = r.TimeAt("at"),
                     .action = r.Text("action"),
                     .actor_id = r.OptText("actor_id"),
                     .org_id = r.OptText("org_id"),
                     .target_id = r.Text("target_id"),
                     .ip = r.Text("ip")};
}

}  // namespace tfzo
