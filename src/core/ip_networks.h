#ifndef TFZO_CORE_IP_NETWORKS_H_
#define TFZO_CORE_IP_NETWORKS_H_

#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/network_v4.hpp>
#include <boost/asio/ip/network_v6.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace tfzo {

// A list of IPv4 and IPv6 networks and whether an address falls in one of them: the
// --trusted-proxies list, and a key's allowed addresses. Entries are CIDRs ("10.0.0.0/8",
// "2001:db8::/32") or bare addresses (a /32 or /128); each is kept canonical (host bits zero),
// in the order given, without repeats. IPv4-mapped IPv6 addresses (::ffff:a.b.c.d) are taken
// as the IPv4 address, in entries and in lookups. A value type; const use is thread-safe.
class IpNetworks {
 public:
  using Address = boost::asio::ip::address;

  // Adds one entry. kInvalidRequest, its message saying what is wrong with the quoted entry
  // (the caller names the field), leaves the list unchanged.
  Status Add(std::string_view entry);

  bool empty() const { return entries_.empty(); }
  size_t size() const { return entries_.size(); }
  // The canonical entries, as given: "203.0.113.7/32", "10.0.0.0/8".
  const std::vector<std::string>& entries() const { return entries_; }

  bool Contains(const Address& address) const;
  // False for text that is not an address.
  bool Contains(std::string_view address) const;

  // An IP address (no zone, no brackets), IPv4-mapped ones as IPv4; nullopt when not one.
  static std::optional<Address> ParseAddress(std::string_view text);
  // ::ffff:a.b.c.d as a.b.c.d; any other address unchanged.
  static Address Unmapped(const Address& address);

 private:
  std::vector<std::string> entries_;
  std::vector<boost::asio::ip::network_v4> v4_;
  std::vector<boost::asio::ip::network_v6> v6_;
};

}  // namespace tfzo

#endif  // TFZO_CORE_IP_NETWORKS_H_
