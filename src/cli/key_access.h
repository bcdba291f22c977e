#ifndef TFZO_CLI_KEY_ACCESS_H_
#define TFZO_CLI_KEY_ACCESS_H_

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "cli/cli_error.h"

namespace tfzo::cli {

// What a key may do and from where, as the CLI shows it: the `auth status` lines for a key's
// "permissions", "allowed_ips", "previous_valid_until" and "flags" (GET /api/v1/me), and the exit-4
// errors for the server's permission_denied and ip_not_allowed answers. Free functions over
// JSON and strings; no state.

// The first permission name (orgs:read ... hosts:write) in `message`, else "".
std::string PermissionNamedIn(std::string_view message);

// The first IPv4 or IPv6 address in `message` (quoted or not), else "".
std::string AddressNamedIn(std::string_view message);

// "orgs:read, agents:read, hosts:read (read only)", "all five (full access)", "none (...)";
// "" when `key` has no "permissions" list.
std::string PermissionsLine(const nlohmann::json& key);

// "anywhere" or "10.0.0.0/8, 203.0.113.7/32"; "" when `key` has no "allowed_ips" list.
std::string AllowedIpsLine(const nlohmann::json& key);

// One line per flag of the key (GET /api/v1/me's "flags"), in the server's order: the flag,
// what it means and what to do ("rotation_due: created or last rotated 90+ days ago; rotate
// it ..."). A flag this CLI does not know is shown by its name alone. Empty: none, or no list.
std::vector<std::string> FlagLines(const nlohmann::json& key);

// 403 permission_denied: which permission is missing (from the server's message), what the key
// has (`key`: /api/v1/me's "key" when the CLI has it, else null) and how to get a key that
// has it.
CliError PermissionDeniedError(const std::string& message, const std::string& key_hint,
                               const nlohmann::json& key);

// 403 ip_not_allowed: the address the server saw (from its message) and where the key's allowed
// addresses are changed.
CliError IpNotAllowedError(const std::string& message, const std::string& key_hint);

}  // namespace tfzo::cli

#endif  // TFZO_CLI_KEY_ACCESS_H_
