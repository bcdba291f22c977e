#include "model/permissions.h"

#include <gtest/gtest.h>

namespace tfzo {
namespace {

TEST(PermissionsTest, WriteImpliesRead) {
  auto set = Permissions::FromNames({"agents:write"}, "permissions");
  ASSERT_TRUE(set.ok());
  EXPECT_TRUE(set->Has(Permission::kAgentsRead));
  EXPECT_FALSE(set->Has(Permission::kHostsRead));
  EXPECT_EQ(set->ToStored(), "agents:read agents:write");
}

TEST(PermissionsTest, NamesAreCanonicalWhateverTheOrderGiven) {
  auto set = Permissions::FromNames({"hosts:read", "orgs:read", "hosts:read"}, "permissions");
  ASSERT_TRUE(set.ok());
  EXPECT_EQ(set->Names(), (std::vector<std::string_view>{"orgs:read", "hosts:read"}));
  EXPECT_EQ(Permissions::All().Names().size(), 5u);
  EXPECT_EQ(Permissions::ReadOnly().ToStored(), "orgs:read agents:read hosts:read");
}

TEST(PermissionsTest, UnknownNamesAreRefusedByRequestsAndIgnoredInTheStore) {
  auto bad = Permissions::FromNames({"orgs:read", "admin"}, "permissions");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidRequest);
  EXPECT_NE(bad.status().message().find("\"admin\""), std::string::npos);
  EXPECT_EQ(Permissions::FromStored("orgs:read admin hosts:write"),
            Permissions().With(Permission::kOrgsRead).With(Permission::kHostsWrite));
  EXPECT_EQ(Permissions::FromStored(""), Permissions());
}

TEST(PermissionsTest, FirstMissingFollowsTheCanonicalOrder) {
  const Permissions read_only = Permissions::ReadOnly();
  EXPECT_EQ(read_only.FirstMissing(Permissions().With(Permission::kHostsWrite)),
            Permission::kHostsWrite);
  EXPECT_EQ(read_only.FirstMissing(Permissions().With(Permission::kAgentsRead)), std::nullopt);
  EXPECT_EQ(Permissions::FromBits(0xff), Permissions::All());
  EXPECT_EQ(Permissions::FromBits(Permissions::All().bits()), Permissions::All());
}

}  // namespace
}  // namespace tfzo
