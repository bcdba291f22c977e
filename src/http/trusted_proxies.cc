#include "http/trusted_proxies.h"

#include <fmt/format.h>

#include <algorithm>
#include <boost/system/error_code.hpp>
#include <string>

namespace tfzo::http {

namespace ip = boost::asio::ip;

namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

std::optional<TrustedProxies::Address> ParseAddress(std::string_view text) {
  boost::system::error_code ec;
  // make_address takes a C string: copy, so a view into a larger buffer is cut at its end.
  const ip::address a = ip::make_address(std::string(text), ec);
  if (ec) return std::nullopt;
  return TrustedProxies::Unmapped(a);
}

}  // namespace

TrustedProxies::Address TrustedProxies::Unmapped(const Address& address) {
  if (address.is_v6() && address.to_v6().is_v4_mapped()) {
    return ip::make_address_v4(ip::v4_mapped, address.to_v6());
  }
  return address;
}

Result<TrustedProxies> TrustedProxies::Parse(std::string_view list) {
  TrustedProxies proxies;
  while (!list.empty()) {
    const size_t comma = list.find(',');
    const std::string_view entry = Trim(list.substr(0, comma));
    list = comma == std::string_view::npos ? std::string_view() : list.substr(comma + 1);
    if (entry.empty()) continue;
    auto bad = [&entry](std::string_view why) {
      return InvalidRequest(fmt::format("--trusted-proxies: \"{}\" {}", std::string(entry), why));
    };
    if (entry.find('%') != std::string_view::npos) return bad("has a zone (%...)");
    const size_t slash = entry.find('/');
    const std::optional<Address> address = ParseAddress(entry.substr(0, slash));
    if (!address) return bad("is not an IPv4 or IPv6 address or CIDR");
    const int max_prefix = address->is_v4() ? 32 : 128;
    int prefix = max_prefix;
    if (slash != std::string_view::npos) {
      const std::string_view digits = entry.substr(slash + 1);
      if (digits.empty() || digits.size() > 3 ||
          !std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; }))
        return bad("has no prefix length after '/'");
      prefix = std::stoi(std::string(digits));
      if (prefix > max_prefix) return bad(fmt::format("has a prefix longer than {}", max_prefix));
    }
    if (address->is_v4()) {
      proxies.v4_.push_back(
          ip::make_network_v4(address->to_v4(), static_cast<unsigned short>(prefix)).canonical());
    } else {
      proxies.v6_.push_back(
          ip::make_network_v6(address->to_v6(), static_cast<unsigned short>(prefix)).canonical());
    }
  }
  return proxies;
}

bool TrustedProxies::Contains(const Address& address) const {
  const Address a = Unmapped(address);
  if (a.is_v4()) {
    const uint32_t bits = a.to_v4().to_uint();
    return std::any_of(v4_.begin(), v4_.end(), [bits](const ip::network_v4& n) {
      return (bits & n.netmask().to_uint()) == n.network().to_uint();
    });
  }
  const ip::address_v6 v6 = a.to_v6();
  return std::any_of(v6_.begin(), v6_.end(), [&v6](const ip::network_v6& n) {
    return ip::make_network_v6(v6, n.prefix_length()).canonical() == n;
  });
}

TrustedProxies::Address TrustedProxies::ClientAddress(const Address& peer,
                                                      std::string_view forwarded_for) const {
  Address client = Unmapped(peer);
  while (!forwarded_for.empty()) {
    const size_t comma = forwarded_for.rfind(',');
    const std::string_view entry =
        Trim(comma == std::string_view::npos ? forwarded_for : forwarded_for.substr(comma + 1));
    forwarded_for =
        comma == std::string_view::npos ? std::string_view() : forwarded_for.substr(0, comma);
    const std::optional<Address> hop = ParseAddress(entry);
    if (!hop) break;  // not an address (empty, a name, "unknown", garbage): stop here
    client = *hop;
    if (!Contains(client)) break;
  }
  return client;
}

std::optional<std::string_view> TrustedProxies::ForwardedScheme(std::string_view forwarded_proto) {
  const std::string_view first = Trim(forwarded_proto.substr(0, forwarded_proto.find(',')));
  auto is = [first](std::string_view word) {
    return first.size() == word.size() &&
           std::equal(first.begin(), first.end(), word.begin(),
                      [](char a, char b) { return (a | 0x20) == b; });
  };
  if (is("https")) return "https";
  if (is("http")) return "http";
  return std::nullopt;
}

}  // namespace tfzo::http
