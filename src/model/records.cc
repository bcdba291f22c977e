#include "model/records.h"

namespace tfzo {

std::string_view RoleName(Role role) {
  switch (role) {
    case Role::kOwner:
      return "owner";
    case Role::kMember:
      return "member";
  }
  return "member";
}

std::optional<Role> ParseRole(std::string_view name) {
  if (name == "owner") return Role::kOwner;
  if (name == "member") return Role::kMember;
  return std::nullopt;
}

namespace {
constexpr std::string_view kReleasedDomain = "@released";
}  // namespace

std::string ReleasedEmail(std::string_view account_id) {
  return std::string(account_id) + std::string(kReleasedDomain);
}

bool IsReleasedEmail(std::string_view email) { return email.ends_with(kReleasedDomain); }

std::string DeletedEmail(std::string_view account_id) {
  return std::string(account_id) + "@deleted";
}

namespace {
constexpr std::string_view kServiceAccountDomain = "@service-account";
}  // namespace

std::string ServiceAccountEmail(std::string_view account_id) {
  return std::string(account_id) + std::string(kServiceAccountDomain);
}

bool IsServiceAccountEmail(std::string_view email) {
  return email.ends_with(kServiceAccountDomain);
}

InvitationRecord::Status InvitationRecord::StatusAt(Time now) const {
  if (accepted_at) return Status::kAccepted;
  if (declined_at) return Status::kDeclined;
  if (canceled_at) return Status::kCanceled;
  return now >= expires_at ? Status::kExpired : Status::kPending;
}

std::string_view InvitationStatusName(InvitationRecord::Status status) {
  switch (status) {
    case InvitationRecord::Status::kPending:
      return "pending";
    case InvitationRecord::Status::kAccepted:
      return "accepted";
    case InvitationRecord::Status::kDeclined:
      return "declined";
    case InvitationRecord::Status::kCanceled:
      return "canceled";
    case InvitationRecord::Status::kExpired:
      return "expired";
  }
  return "pending";
}

}  // namespace tfzo
