#include "cli/key_access.h"

#include <arpa/inet.h>
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <array>
#include <cctype>
#include <utility>
#include <vector>

namespace tfzo::cli {
namespace {

// The API's permissions in their canonical order (docs/spec/API.md).
constexpr std::array<std::string_view, 5> kPermissions = {
    "orgs:read", "agents:read", "agents:write", "hosts:read", "hosts:write"};

bool IsAddress(const std::string& text) {
  unsigned char buf[16];
  return inet_pton(AF_INET, text.c_str(), buf) == 1 || inet_pton(AF_INET6, text.c_str(), buf) == 1;
}

std::vector<std::string> Strings(const nlohmann::json& key, const char* name, bool* present) {
  std::vector<std::string> out;
  *present = false;
  if (!key.is_object()) return out;
  auto it = key.find(name);
  if (it == key.end() || !it->is_array()) return out;
  *present = true;
  for (const auto& v : *it) {
    if (v.is_string()) out.push_back(v.get<std::string>());
  }
  return out;
}

}  // namespace

std::string PermissionNamedIn(std::string_view message) {
  size_t best = std::string_view::npos;
  std::string_view found;
  for (std::string_view p : kPermissions) {
    // "agents:read" is not a match inside "agents:reader"; the earliest whole name wins.
    for (size_t at = message.find(p); at != std::string_view::npos; at = message.find(p, at + 1)) {
      size_t end = at + p.size();
      bool whole =
          (end == message.size() || !std::isalnum(static_cast<unsigned char>(message[end])));
      if (whole && at < best) {
        best = at;
        found = p;
      }
      if (whole) break;
    }
  }
  return std::string(found);
}

std::string AddressNamedIn(std::string_view message) {
  std::string token;
  auto take = [&]() -> bool {
    // A sentence's full stop or colon after the address is not part of it ("::" may be).
    while (!token.empty() && !IsAddress(token) && (token.back() == '.' || token.back() == ':')) {
      token.pop_back();
    }
    return IsAddress(token);
  };
  for (char c : message) {
    if (std::isxdigit(static_cast<unsigned char>(c)) || c == '.' || c == ':') {
      token.push_back(c);
      continue;
    }
    if (take()) return token;
    token.clear();
  }
  return take() ? token : "";
}

std::string PermissionsLine(const nlohmann::json& key) {
  bool present = false;
  std::vector<std::string> perms = Strings(key, "permissions", &present);
  if (!present) return "";
  if (perms.empty()) return "none (the key can only identify itself)";
  std::string list = fmt::format("{}", fmt::join(perms, ", "));
  if (perms.size() == kPermissions.size()) return list + " (full access)";
  if (perms == std::vector<std::string>{"orgs:read", "agents:read", "hosts:read"}) {
    return list + " (read only)";
  }
  return list;
}

std::string AllowedIpsLine(const nlohmann::json& key) {
  bool present = false;
  std::vector<std::string> ips = Strings(key, "allowed_ips", &present);
  if (!present) return "";
  if (ips.empty()) return "anywhere";
  return fmt::format("{}", fmt::join(ips, ", "));
}

std::vector<std::string> FlagLines(const nlohmann::json& key) {
  // What each flag means and what to do (docs/spec/API.md "Key flags").
  static const std::array<std::pair<std::string_view, std::string_view>, 4> kAdvice = {{
      {"unused_90_days",
       "not used for 90 days or more; if nothing needs it any more, revoke it in the Accounts "
       "console (API keys, Revoke)"},
      {"rotation_due",
       "created or last rotated 90 days ago or more; rotate it in the Accounts console (API "
       "keys, Rotate) and store the new value with `2501 set api_key -`"},
      {"expiring_soon",
       "expires within 7 days; extend it in the Accounts console (API keys, Change "
       "expiration), or rotate it with a new expiration and store the new value"},
      {"owner_left_org",
       "its owner is no longer a member of its organization; ask an owner of the organization "
       "for a service account's key, and revoke this one"},
  }};
  bool present = false;
  std::vector<std::string> lines;
  for (const std::string& flag : Strings(key, "flags", &present)) {
    std::string line = flag;
    for (const auto& [name, advice] : kAdvice) {
      if (flag == name) line = fmt::format("{}: {}", flag, advice);
    }
    lines.push_back(std::move(line));
  }
  return lines;
}

CliError PermissionDeniedError(const std::string& message, const std::string& key_hint,
                               const nlohmann::json& key) {
  std::string missing = PermissionNamedIn(message);
  std::string has = PermissionsLine(key);
  std::string what = missing.empty() ? "a permission this command needs"
                                     : fmt::format("the permission {}", missing);
  std::string with = missing.empty() ? "the permission the message names" : missing;
  return CliError(
      ExitCode::kForbidden, "permission_denied",
      fmt::format("the key {} does not have {}{} (permission_denied): {}", key_hint, what,
                  has.empty() ? "" : fmt::format("; it has: {}", has), message),
      fmt::format("Use a key that has {}: create one in the Accounts console (API keys, New API "
                  "Key, Permissions) and store it with `2501 set api_key -` (or in its own "
                  "profile), or give this key {} there (Edit access). For a key you do not "
                  "manage (a service account's), ask an owner of its organization.",
                  with, with));
}

CliError IpNotAllowedError(const std::string& message, const std::string& key_hint) {
  std::string address = AddressNamedIn(message);
  std::string from =
      address.empty() ? "this address" : fmt::format("{}, the address the server saw", address);
  return CliError(
      ExitCode::kForbidden, "ip_not_allowed",
      fmt::format("the key {} may not be used from {} (ip_not_allowed): {}", key_hint, from,
                  message),
      "The key's allowed addresses can be changed in the Accounts console (API keys, Edit "
      "access); or run the command from an address the key allows.");
}

}  // namespace tfzo::cli
