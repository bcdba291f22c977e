#include "model/org_policy.h"

#include <gtest/gtest.h>

namespace tfzo {
namespace {

constexpr std::chrono::hours kDay{24};
const Time kSince = FromUnix(1'700'000'000);

TEST(OrgPolicyTest, NoPolicyIsNoRule) {
  EXPECT_EQ(KeyPolicyOf(OrgPolicy{}, kSince), KeyState::Policy{});
  EXPECT_TRUE(CheckKeyPolicy(OrgPolicy{}, "Acme", kSince, std::nullopt, Permissions::All()).ok());
}

TEST(OrgPolicyTest, DaysCountFromCreationOrRotation) {
  const KeyState::Policy p = KeyPolicyOf(OrgPolicy{.max_lifetime_days = 30,
                                                   .require_expiration = true,
                                                   .rotate_every_days = 10,
                                                   .allowed_permissions = Permissions::ReadOnly()},
                                         kSince);
  EXPECT_EQ(p.rotate_by, kSince + 10 * kDay);
  EXPECT_EQ(p.lifetime_ends, kSince + 30 * kDay);
  EXPECT_TRUE(p.expiration_required);
  EXPECT_EQ(p.allowed, Permissions::ReadOnly());
}

TEST(OrgPolicyTest, EachRuleIsNamedWhenBroken) {
  const auto rule_of = [](const OrgPolicy& policy, std::optional<Time> expires, Permissions p) {
    const Status s = CheckKeyPolicy(policy, "Acme", kSince, expires, p);
    EXPECT_EQ(s.code(), StatusCode::kPolicyViolation);
    EXPECT_NE(s.message().find("Acme"), std::string::npos);
    return s.message();
  };
  EXPECT_NE(rule_of({.require_expiration = true}, std::nullopt, Permissions::All())
                .find("(require_expiration)"),
            std::string::npos);
  EXPECT_NE(rule_of({.max_lifetime_days = 30}, kSince + 31 * kDay, Permissions::All())
                .find("(max_lifetime_days)"),
            std::string::npos);
  EXPECT_NE(rule_of({.max_lifetime_days = 30}, std::nullopt, Permissions::All())
                .find("(max_lifetime_days)"),
            std::string::npos);
  const std::string denied =
      rule_of({.allowed_permissions = Permissions::ReadOnly()}, std::nullopt, Permissions::All());
  EXPECT_NE(denied.find("not agents:write, hosts:write (allowed_permissions)"), std::string::npos)
      << denied;
}

TEST(OrgPolicyTest, KeysWithinThePolicyPass) {
  const OrgPolicy policy{.max_lifetime_days = 30,
                         .require_expiration = true,
                         .allowed_permissions = Permissions::ReadOnly()};
  EXPECT_TRUE(
      CheckKeyPolicy(policy, "Acme", kSince, kSince + 30 * kDay, Permissions::ReadOnly()).ok());
  EXPECT_TRUE(CheckKeyPolicy(policy, "Acme", kSince, kSince + kDay, Permissions()).ok());
}

}  // namespace
}  // namespace tfzo
