#include "core/ip_networks.h"

#include <gtest/gtest.h>

namespace tfzo {
namespace {

TEST(IpNetworksTest, KeepsCanonicalEntriesInOrderWithoutRepeats) {
  IpNetworks n;
  ASSERT_TRUE(n.Add("10.1.2.3/8").ok());
  ASSERT_TRUE(n.Add("203.0.113.7").ok());
  ASSERT_TRUE(n.Add("2001:db8::1/32").ok());
  ASSERT_TRUE(n.Add("10.0.0.0/8").ok());  // the same network as the first
  ASSERT_TRUE(n.Add("::ffff:192.0.2.1").ok());
  EXPECT_EQ(n.entries(), (std::vector<std::string>{"10.0.0.0/8", "203.0.113.7/32", "2001:db8::/32",
                                                   "192.0.2.1/32"}));
}

TEST(IpNetworksTest, MatchesAddressesInsideOnly) {
  IpNetworks n;
  ASSERT_TRUE(n.Add("10.0.0.0/8").ok());
  ASSERT_TRUE(n.Add("2001:db8::/32").ok());
  EXPECT_TRUE(n.Contains("10.255.0.1"));
  EXPECT_TRUE(n.Contains("::ffff:10.0.0.1"));
  EXPECT_TRUE(n.Contains("2001:db8:ffff::1"));
  EXPECT_FALSE(n.Contains("11.0.0.1"));
  EXPECT_FALSE(n.Contains("2001:db9::1"));
  EXPECT_FALSE(n.Contains("not an address"));
  EXPECT_FALSE(n.Contains(""));
}

TEST(IpNetworksTest, RefusesWhatIsNotANetworkAndSaysWhy) {
  IpNetworks n;
  for (const char* bad : {"", "10.0.0.0/33", "::/129", "10.0.0.0/", "10.0.0.0/x", "fe80::1%eth0",
                          "example.com", "1.2.3.4/8/8", "10.0.0.0/0008"}) {
    const Status s = n.Add(bad);
    EXPECT_EQ(s.code(), StatusCode::kInvalidRequest) << bad;
  }
  EXPECT_TRUE(n.empty());
  EXPECT_EQ(n.Add("a\"\x01"
                  "b")
                .message(),
            "\"a??b\" is not an IPv4 or IPv6 address or CIDR");
}

}  // namespace
}  // namespace tfzo
