#include "model/permissions.h"

#include <fmt/format.h>

namespace tfzo {

namespace {

// What each permission brings with it: write implies read.
Permission Implied(Permission p) {
  switch (p) {
    case Permission::kAgentsWrite:
      return Permission::kAgentsRead;
    case Permission::kHostsWrite:
      return Permission::kHostsRead;
    default:
      return p;
  }
}

std::optional<Permission> ParsePermission(std::string_view name) {
  for (Permission p : Permissions::kAll) {
    if (PermissionName(p) == name) return p;
  }
  return std::nullopt;
}

}  // namespace

std::string_view PermissionName(Permission permission) {
  switch (permission) {
    case Permission::kOrgsRead:
      return "orgs:read";
    case Permission::kAgentsRead:
      return "agents:read";
    case Permission::kAgentsWrite:
      return "agents:write";
    case Permission::kHostsRead:
      return "hosts:read";
    case Permission::kHostsWrite:
      return "hosts:write";
  }
  return "";
}

Permissions Permissions::All() {
  Permissions all;
  for (Permission p : kAll) all = all.With(p);
  return all;
}

Permissions Permissions::ReadOnly() {
  return Permissions()
      .With(Permission::kOrgsRead)
      .With(Permission::kAgentsRead)
      .With(Permission::kHostsRead);
}

Result<Permissions> Permissions::FromNames(const std::vector<std::string>& names,
                                           std::string_view field) {
  Permissions set;
  for (const std::string& name : names) {
    const std::optional<Permission> p = ParsePermission(name);
    if (!p) {
      return InvalidRequest(fmt::format(
          "{}: \"{}\" is not a permission (orgs:read, agents:read, agents:write, hosts:read, "
          "hosts:write)",
          field,
          name.size() <= 40 && name.find_first_of("\"\\") == std::string::npos
              ? name
              : std::string("...")));
    }
    set = set.With(*p);
  }
  return set;
}

Permissions Permissions::FromStored(std::string_view stored) {
  Permissions set;
  while (!stored.empty()) {
    const size_t space = stored.find(' ');
    if (const auto p = ParsePermission(stored.substr(0, space))) set = set.With(*p);
    stored = space == std::string_view::npos ? std::string_view() : stored.substr(space + 1);
  }
  return set;
}

Permissions Permissions::FromBits(uint8_t bits) {
  Permissions set;
  for (Permission p : kAll) {
    if (bits & static_cast<uint8_t>(p)) set = set.With(p);
  }
  return set;
}

std::optional<Permission> Permissions::FirstMissing(Permissions required) const {
  for (Permission p : kAll) {
    if (required.Has(p) && !Has(p)) return p;
  }
  return std::nullopt;
}

Permissions Permissions::With(Permission p) const {
  Permissions set = *this;
  set.bits_ |= static_cast<uint8_t>(p) | static_cast<uint8_t>(Implied(p));
  return set;
}

std::vector<std::string_view> Permissions::Names() const {
  std::vector<std::string_view> names;
  for (Permission p : kAll) {
    if (Has(p)) names.push_back(PermissionName(p));
  }
  return names;
}

std::string Permissions::ToStored() const { return fmt::format("{}", fmt::join(Names(), " ")); }

}  // namespace tfzo
