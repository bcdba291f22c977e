#ifndef TFZO_MODEL_PERMISSIONS_H_
#define TFZO_MODEL_PERMISSIONS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace tfzo {

// What a key may do on the CLI API (docs/spec/API.md "Permissions"). Every /api/v1 route but
// /api/v1/me names the one it needs.
enum class Permission : uint8_t {
  kOrgsRead = 1 << 0,
  kAgentsRead = 1 << 1,
  kAgentsWrite = 1 << 2,
  kHostsRead = 1 << 3,
  kHostsWrite = 1 << 4,
};
std::string_view PermissionName(Permission permission);  // "agents:write"

// A key's permissions: a set of the five, always closed under "write implies read" (adding
// agents:write adds agents:read). One byte, so the key cache keeps it inline. Value type.
class Permissions {
 public:
  // The canonical order: how lists are shown and stored.
  static constexpr Permission kAll[] = {Permission::kOrgsRead, Permission::kAgentsRead,
                                        Permission::kAgentsWrite, Permission::kHostsRead,
                                        Permission::kHostsWrite};

  constexpr Permissions() = default;  // none
  static Permissions All();
  // The console's "Read only" preset: orgs:read, agents:read, hosts:read.
  static Permissions ReadOnly();
  // From the names a request gives; kInvalidRequest naming `field` and the unknown entry.
  static Result<Permissions> FromNames(const std::vector<std::string>& names,
                                       std::string_view field);
  // From the store's column (space-separated names); unknown names are ignored, so a column
  // written by a newer server never widens what this one allows.
  static Permissions FromStored(std::string_view stored);
  // From bits(); bits that name no permission are dropped.
  static Permissions FromBits(uint8_t bits);

  bool Has(Permission p) const { return (bits_ & static_cast<uint8_t>(p)) != 0; }
  // The first permission of `required` (canonical order) that this set lacks.
  std::optional<Permission> FirstMissing(Permissions required) const;
  Permissions With(Permission p) const;
  // Those of this set that `allowed` has too.
  Permissions Within(Permissions allowed) const { return Bits(bits_ & allowed.bits_); }
  // Those of this set that `other` lacks (a write without its read, when `other` has the read:
  // not a set a key can have, but the list of what `other` is missing).
  Permissions Without(Permissions other) const {
    return Bits(static_cast<uint8_t>(bits_ & ~other.bits_));
  }

  uint8_t bits() const { return bits_; }
  std::vector<std::string_view> Names() const;
  std::string ToStored() const;  // "orgs:read agents:read"

  bool operator==(const Permissions&) const = default;

 private:
  static Permissions Bits(uint8_t bits) {
    Permissions set;
    set.bits_ = bits;
    return set;
  }
  uint8_t bits_ = 0;
};

}  // namespace tfzo

#endif  // TFZO_MODEL_PERMISSIONS_H_
