#include "model/org_policy.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

namespace tfzo {
namespace {

std::chrono::seconds Days(int days) { return std::chrono::hours(24) * days; }

Status Violation(std::string_view org_name, std::string_view rule, std::string_view what) {
  return Status(
      StatusCode::kPolicyViolation,
      fmt::format("Organization \"{}\" has a key policy: {} ({}).", org_name, what, rule));
}

}  // namespace

KeyState::Policy KeyPolicyOf(const OrgPolicy& policy, Time since) {
  KeyState::Policy out;
  if (policy.rotate_every_days) out.rotate_by = since + Days(*policy.rotate_every_days);
  if (policy.max_lifetime_days) out.lifetime_ends = since + Days(*policy.max_lifetime_days);
  out.expiration_required = policy.require_expiration;
  if (policy.allowed_permissions) out.allowed = *policy.allowed_permissions;
  return out;
}

Status CheckKeyPolicy(const OrgPolicy& policy, std::string_view org_name, Time since,
                      const std::optional<Time>& expires_at, Permissions permissions) {
  if (!expires_at && (policy.require_expiration || policy.max_lifetime_days)) {
    return Violation(org_name,
                     policy.require_expiration ? "require_expiration" : "max_lifetime_days",
                     "every key must have an expiration");
  }
  if (policy.max_lifetime_days && *expires_at > since + Days(*policy.max_lifetime_days)) {
    return Violation(org_name, "max_lifetime_days",
                     fmt::format("a key may live at most {} days from its creation or rotation, "
                                 "so expire by {}",
                                 *policy.max_lifetime_days,
                                 FormatRfc3339(since + Days(*policy.max_lifetime_days))));
  }
  if (policy.allowed_permissions) {
    const Permissions outside = permissions.Without(*policy.allowed_permissions);
    if (outside != Permissions()) {
      return Violation(org_name, "allowed_permissions",
                       fmt::format("its keys may have only {}, not {}",
                                   fmt::join(policy.allowed_permissions->Names(), ", "),
                                   fmt::join(outside.Names(), ", ")));
    }
  }
  return Status::Ok();
}

}  // namespace tfzo
