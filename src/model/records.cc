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

}  // namespace tfzo
