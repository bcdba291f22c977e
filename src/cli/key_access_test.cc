#include "cli/key_access.h"

#include <gtest/gtest.h>

namespace tfzo::cli {
namespace {

TEST(KeyAccessTest, PermissionNamedInFindsTheWholeName) {
  EXPECT_EQ(PermissionNamedIn("this key lacks the permission agents:write"), "agents:write");
  EXPECT_EQ(PermissionNamedIn("permission \"hosts:read\" is required"), "hosts:read");
  EXPECT_EQ(PermissionNamedIn("needs orgs:read."), "orgs:read");
  EXPECT_EQ(PermissionNamedIn("needs agents:readers"), "");
  EXPECT_EQ(PermissionNamedIn("forbidden"), "");
}

TEST(KeyAccessTest, AddressNamedInFindsIpv4AndIpv6) {
  EXPECT_EQ(AddressNamedIn("requests from 203.0.113.7 are not allowed for this key"),
            "203.0.113.7");
  EXPECT_EQ(AddressNamedIn("not allowed from \"127.0.0.1\"."), "127.0.0.1");
  EXPECT_EQ(AddressNamedIn("address 2001:db8::1: not in the key's allowed addresses"),
            "2001:db8::1");
  EXPECT_EQ(AddressNamedIn("the address seen: ::1"), "::1");
  EXPECT_EQ(AddressNamedIn("refused from 2001:db8::."), "2001:db8::");
  EXPECT_EQ(AddressNamedIn("no address here, add a decade"), "");
}

TEST(KeyAccessTest, PermissionsAndAddressLines) {
  using nlohmann::json;
  EXPECT_EQ(PermissionsLine(json{{"permissions", {"orgs:read", "agents:read", "hosts:read"}}}),
            "orgs:read, agents:read, hosts:read (read only)");
  EXPECT_EQ(PermissionsLine(
                json{{"permissions",
                      {"orgs:read", "agents:read", "agents:write", "hosts:read", "hosts:write"}}}),
            "orgs:read, agents:read, agents:write, hosts:read, hosts:write (full access)");
  EXPECT_EQ(PermissionsLine(json{{"permissions", json::array()}}),
            "none (the key can only identify itself)");
  EXPECT_EQ(PermissionsLine(json::object()), "");
  EXPECT_EQ(AllowedIpsLine(json{{"allowed_ips", json::array()}}), "anywhere");
  EXPECT_EQ(AllowedIpsLine(json{{"allowed_ips", {"10.0.0.0/8", "::1/128"}}}),
            "10.0.0.0/8, ::1/128");
}

TEST(KeyAccessTest, ErrorsExitFourAndSayWhatToDo) {
  nlohmann::json key = {{"permissions", {"orgs:read"}}};
  CliError denied = PermissionDeniedError("this key lacks agents:write", "tfzo_…abcd", key);
  EXPECT_EQ(denied.exit_code(), ExitCode::kForbidden);
  EXPECT_EQ(denied.code(), "permission_denied");
  EXPECT_NE(denied.message().find("does not have the permission agents:write; it has: orgs:read"),
            std::string::npos);
  EXPECT_NE(denied.hint().find("Use a key that has agents:write"), std::string::npos);
  EXPECT_NE(denied.hint().find("ask an owner"), std::string::npos);

  CliError ip = IpNotAllowedError("not allowed from 198.51.100.4", "tfzo_…abcd");
  EXPECT_EQ(ip.exit_code(), ExitCode::kForbidden);
  EXPECT_EQ(ip.code(), "ip_not_allowed");
  EXPECT_NE(ip.message().find("from 198.51.100.4, the address the server saw"), std::string::npos);
  EXPECT_NE(ip.hint().find("allowed addresses can be changed in the Accounts console"),
            std::string::npos);
}

TEST(KeyAccessTest, FlagLinesSayWhatToDoInTheServersOrder) {
  auto lines = FlagLines(nlohmann::json::parse(R"({"flags": ["rotation_due", "owner_left_org"]})"));
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_TRUE(lines[0].starts_with("rotation_due: created or last rotated 90 days ago"))
      << lines[0];
  EXPECT_NE(lines[0].find("2501 set api_key"), std::string::npos);
  EXPECT_TRUE(lines[1].starts_with("owner_left_org: its owner is no longer a member")) << lines[1];
  EXPECT_EQ(FlagLines(nlohmann::json::parse(R"({"flags": ["new_flag"]})")),
            std::vector<std::string>{"new_flag"});
  EXPECT_TRUE(FlagLines(nlohmann::json::parse(R"({"flags": []})")).empty());
  EXPECT_TRUE(FlagLines(nlohmann::json::parse(R"({"name": "old server"})")).empty());
}

}  // namespace
}  // namespace tfzo::cli
