#include "core/ip_networks.h"

#include <fmt/format.h>

#include <algorithm>
#include <boost/system/error_code.hpp>

namespace tfzo {

namespace ip = boost::asio::ip;

IpNetworks::Address IpNetworks::Unmapped(const Address& address) {
  if (address.is_v6() && address.to_v6().is_v4_mapped()) {
    return ip::make_address_v4(ip::v4_mapped, address.to_v6());
  }
  return address;
}

std::optional<IpNetworks::Address> IpNetworks::ParseAddress(std::string_view text) {
  if (text.empty() || text.find('%') != std::string_view::npos) return std::nullopt;
  boost::system::error_code ec;
  // make_address takes a C string: copy, so a view into a larger buffer is cut at its end.
  const ip::address a = ip::make_address(std::string(text), ec);
  if (ec) return std::nullopt;
  return Unmapped(a);
}

Status IpNetworks::Add(std::string_view entry) {
  auto bad = [entry](std::string_view why) {
    // The entry is quoted as JSON would: it may come from a request body.
    std::string shown;
    for (char c : entry.substr(0, 64)) {
      const auto u = static_cast<unsigned char>(c);
      shown += (u < 0x20 || u >= 0x7f || c == '"' || c == '\\') ? '?' : c;
    }
    return InvalidRequest(fmt::format("\"{}\" {}", shown, why));
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
  const auto length = static_cast<unsigned short>(prefix);
  std::string canonical;
  if (address->is_v4()) {
    const ip::network_v4 n = ip::make_network_v4(address->to_v4(), length).canonical();
    canonical = n.to_string();
    if (std::find(entries_.begin(), entries_.end(), canonical) != entries_.end()) return {};
    v4_.push_back(n);
  } else {
    const ip::network_v6 n = ip::make_network_v6(address->to_v6(), length).canonical();
    canonical = n.to_string();
    if (std::find(entries_.begin(), entries_.end(), canonical) != entries_.end()) return {};
    v6_.push_back(n);
  }
  entries_.push_back(std::move(canonical));
  return {};
}

bool IpNetworks::Contains(const Address& address) const {
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

bool IpNetworks::Contains(std::string_view address) const {
  const std::optional<Address> a = ParseAddress(address);
  return a && Contains(*a);
}

}  // namespace tfzo
