#include "http/trusted_proxies.h"

#include <gtest/gtest.h>

namespace tfzo::http {
namespace {

using boost::asio::ip::make_address;

TrustedProxies Parsed(std::string_view list) {
  auto parsed = TrustedProxies::Parse(list);
  EXPECT_TRUE(parsed.ok()) << parsed.status().message();
  return parsed.ok() ? *parsed : TrustedProxies();
}

TEST(TrustedProxiesTest, ParsesIpv4AndIpv6CidrsAndBareAddresses) {
  const TrustedProxies p = Parsed("10.0.0.0/8, 192.168.1.7 ,fd00::/8,::1");
  EXPECT_FALSE(p.empty());
  EXPECT_TRUE(p.Contains(make_address("10.1.2.3")));
  EXPECT_FALSE(p.Contains(make_address("11.0.0.1")));
  EXPECT_TRUE(p.Contains(make_address("192.168.1.7")));
  EXPECT_FALSE(p.Contains(make_address("192.168.1.8")));  // a bare address is /32
  EXPECT_TRUE(p.Contains(make_address("fd12:3456::1")));
  EXPECT_FALSE(p.Contains(make_address("fe80::1")));
  EXPECT_TRUE(p.Contains(make_address("::1")));
  EXPECT_FALSE(p.Contains(make_address("::2")));  // /128
  // A dual-stack listener sees IPv4 peers as IPv4-mapped IPv6 addresses.
  EXPECT_TRUE(p.Contains(make_address("::ffff:10.9.9.9")));
}

TEST(TrustedProxiesTest, HostBitsInACidrAreIgnoredAndZeroPrefixTrustsAll) {
  EXPECT_TRUE(Parsed("10.1.2.3/16").Contains(make_address("10.1.200.1")));
  EXPECT_TRUE(Parsed("0.0.0.0/0").Contains(make_address("8.8.8.8")));
  EXPECT_FALSE(Parsed("0.0.0.0/0").Contains(make_address("2001:db8::1")));
}

TEST(TrustedProxiesTest, EmptyListTrustsNobody) {
  EXPECT_TRUE(Parsed("").empty());
  EXPECT_TRUE(Parsed(" , ").empty());
  EXPECT_FALSE(TrustedProxies().Contains(make_address("127.0.0.1")));
}

TEST(TrustedProxiesTest, RefusesWhatIsNotACidr) {
  for (std::string_view bad :
       {"10.0.0.0/33", "::/129", "10.0.0.0/", "10.0.0.0/x", "10.0.0.0/-1", "localhost", "10.0.0",
        "10.0.0.0/8/8", "1.2.3.4:80", "fe80::1%eth0"}) {
    auto parsed = TrustedProxies::Parse(bad);
    ASSERT_FALSE(parsed.ok()) << bad;
    EXPECT_NE(parsed.status().message().find("--trusted-proxies"), std::string::npos);
  }
}

class ClientAddressTest : public ::testing::Test {
 protected:
  std::string Client(std::string_view forwarded_for, std::string_view peer = "10.0.0.1") {
    return proxies_.ClientAddress(make_address(std::string(peer)), forwarded_for).to_string();
  }
  TrustedProxies proxies_ = Parsed("10.0.0.0/8,fd00::/8");
};

TEST_F(ClientAddressTest, RightMostUntrustedAddressWins) {
  EXPECT_EQ(Client("203.0.113.5"), "203.0.113.5");
  EXPECT_EQ(Client("203.0.113.5, 10.0.0.2"), "203.0.113.5");
  // What the client wrote itself (left) is never believed over what a proxy appended.
  EXPECT_EQ(Client("1.1.1.1, 198.51.100.7, 10.0.0.2,10.0.0.3"), "198.51.100.7");
  EXPECT_EQ(Client("2001:db8::7, fd00::2"), "2001:db8::7");
  EXPECT_EQ(Client("::ffff:203.0.113.5"), "203.0.113.5");
}

TEST_F(ClientAddressTest, AllTrustedGivesTheLeftMost) {
  EXPECT_EQ(Client("10.0.0.7, 10.0.0.2"), "10.0.0.7");
}

TEST_F(ClientAddressTest, NoHeaderGivesThePeer) {
  EXPECT_EQ(Client(""), "10.0.0.1");
  EXPECT_EQ(Client("", "::ffff:10.0.0.1"), "10.0.0.1");
}

TEST_F(ClientAddressTest, AMalformedEntryStopsTheWalkAtTheHopThatPassedItOn) {
  EXPECT_EQ(Client("garbage"), "10.0.0.1");                         // right-most: the peer
  EXPECT_EQ(Client("203.0.113.5, unknown"), "10.0.0.1");            // never skipped over
  EXPECT_EQ(Client("203.0.113.5, garbage, 10.0.0.2"), "10.0.0.2");  // the hop that passed it
  EXPECT_EQ(Client("203.0.113.5,,10.0.0.2"), "10.0.0.2");           // an empty entry too
  EXPECT_EQ(Client("203.0.113.5:4711"), "10.0.0.1");                // ports are not addresses
  // Garbage left of an untrusted address is never reached.
  EXPECT_EQ(Client("<script>, 203.0.113.5"), "203.0.113.5");
}

TEST(TrustedProxiesSchemeTest, ForwardedProtoIsHttpOrHttps) {
  EXPECT_EQ(TrustedProxies::ForwardedScheme("https"), "https");
  EXPECT_EQ(TrustedProxies::ForwardedScheme(" HTTPS "), "https");
  EXPECT_EQ(TrustedProxies::ForwardedScheme("http"), "http");
  EXPECT_EQ(TrustedProxies::ForwardedScheme("https, http"), "https");  // the left-most
  EXPECT_EQ(TrustedProxies::ForwardedScheme(""), std::nullopt);
  EXPECT_EQ(TrustedProxies::ForwardedScheme("ftp"), std::nullopt);
  EXPECT_EQ(TrustedProxies::ForwardedScheme("httpsx"), std::nullopt);
}

}  // namespace
}  // namespace tfzo::http
