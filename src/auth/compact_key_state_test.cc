#include "auth/compact_key_state.h"

#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <string_view>
#include <type_traits>

namespace tfzo {
namespace {

static_assert(std::is_trivially_copyable_v<CompactKeyState>);

KeyState Sample() {
  KeyState s;
  s.key_id = "key_0123456789abcdefghijkl";
  s.account_id = "acc_0123456789abcdefghijkl";
  return s;
}

void ExpectSame(const KeyState& a, const KeyState& b) {
  EXPECT_EQ(a.key_id, b.key_id);
  EXPECT_EQ(a.account_id, b.account_id);
  EXPECT_EQ(a.org_id, b.org_id);
  EXPECT_EQ(a.expires_at, b.expires_at);
  EXPECT_EQ(a.key_revoked_at, b.key_revoked_at);
  EXPECT_EQ(a.secret_revoked_at, b.secret_revoked_at);
  EXPECT_EQ(a.permissions, b.permissions);
  EXPECT_EQ(a.ip_restricted, b.ip_restricted);
  EXPECT_EQ(a.policy, b.policy);
  EXPECT_EQ(a, b);  // and no field forgotten above
}

TEST(CompactKeyStateTest, RoundTripsEveryField) {
  KeyState unscoped = Sample();
  auto c = CompactKeyState::From(unscoped);
  ASSERT_TRUE(c.has_value());
  ExpectSame(c->Expand(), unscoped);
  EXPECT_TRUE(c->HasKeyId("key_0123456789abcdefghijkl"));
  EXPECT_FALSE(c->HasKeyId("key_0123456789abcdefghijk"));

  KeyState full = Sample();
  full.org_id = "org_0123456789abcdefghijkl";
  full.expires_at = FromUnix(1'800'000'000);
  full.key_revoked_at = FromUnix(0);  // the epoch itself is a time, not "none"
  full.secret_revoked_at = FromUnix(-86'400);
  full.permissions = Permissions::ReadOnly();
  full.ip_restricted = true;
  full.policy = {.rotate_by = FromUnix(1'700'000'000),
                 .lifetime_ends = FromUnix(1'900'000'000),
                 .expiration_required = true,
                 .allowed = Permissions().With(Permission::kHostsRead)};
  c = CompactKeyState::From(full);
  ASSERT_TRUE(c.has_value());
  ExpectSame(c->Expand(), full);
  EXPECT_TRUE(c->HasOrgId("org_0123456789abcdefghijkl"));
}

TEST(InlineIdTest, HoldsUpToItsCapacityAndComparesWhole) {
  auto a = InlineId::From("key_0123456789abcdefghijkl");
  ASSERT_TRUE(a.has_value());
  EXPECT_EQ(a->view(), "key_0123456789abcdefghijkl");
  EXPECT_TRUE(InlineId::From(std::string(InlineId::kCapacity, 'a')).has_value());
  EXPECT_FALSE(InlineId::From(std::string(InlineId::kCapacity + 1, 'a')).has_value());
  EXPECT_TRUE(InlineId::From("")->empty());
  EXPECT_EQ(*a, *InlineId::From(std::string("key_0123456789abcdefghijkl")));
  EXPECT_FALSE(*a == *InlineId::From("key_0123456789abcdefghijkm"));
  EXPECT_FALSE(*InlineId::From("key_1") == *InlineId::From("key_10"));  // a prefix differs
  EXPECT_EQ(InlineId::Hash{}(*a), std::hash<std::string_view>{}(a->view()));
}

TEST(CompactKeyStateTest, RefusesIdsThatDoNotFitInline) {
  KeyState s = Sample();
  s.account_id = std::string(27, 'a');
  EXPECT_TRUE(CompactKeyState::From(s).has_value());
  s.account_id = std::string(28, 'a');
  EXPECT_FALSE(CompactKeyState::From(s).has_value());
  s = Sample();
  s.org_id = std::string(40, 'o');
  EXPECT_FALSE(CompactKeyState::From(s).has_value());
  s.org_id = "";  // would read back as unscoped
  EXPECT_FALSE(CompactKeyState::From(s).has_value());
}

}  // namespace
}  // namespace tfzo
