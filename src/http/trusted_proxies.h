#ifndef TFZO_HTTP_TRUSTED_PROXIES_H_
#define TFZO_HTTP_TRUSTED_PROXIES_H_

#include <optional>
#include <string_view>

#include "core/ip_networks.h"
#include "core/result.h"

namespace tfzo::http {

// The --trusted-proxies list: the IPv4 and IPv6 networks whose peers may tell, in
// X-Forwarded-For and X-Forwarded-Proto, which address a request came from and which scheme
// it used. Peers outside the list are never believed. Immutable once parsed; thread-safe.
class TrustedProxies {
 public:
  using Address = IpNetworks::Address;

  TrustedProxies() = default;  // trusts nobody

  // "10.0.0.0/8,192.168.1.7,fd00::/8": comma-separated CIDRs; a bare address is /32 (/128).
  // Spaces around entries are allowed; an empty list trusts nobody.
  static Result<TrustedProxies> Parse(std::string_view list);

  bool empty() const { return networks_.empty(); }
  // An IPv4-mapped IPv6 address (::ffff:a.b.c.d) is matched as the IPv4 address.
  bool Contains(const Address& address) const { return networks_.Contains(address); }

  // The client of a request that `peer` (which Contains) passed on, from its X-Forwarded-For
  // value (every such field of the request joined with ","): walking from the right, the
  // first address that is not a trusted proxy. Every entry trusted: the left-most. An entry
  // that is not an IP address stops the walk: the address to its right (the hop that passed
  // it on), or `peer` when it is the right-most. No entries: `peer`.
  Address ClientAddress(const Address& peer, std::string_view forwarded_for) const;

  // The scheme an X-Forwarded-Proto value names: its left-most entry, "http" or "https"
  // (any case); nullopt for anything else.
  static std::optional<std::string_view> ForwardedScheme(std::string_view forwarded_proto);

  // ::ffff:a.b.c.d as a.b.c.d; any other address unchanged.
  static Address Unmapped(const Address& address) { return IpNetworks::Unmapped(address); }

 private:
  IpNetworks networks_;
};

}  // namespace tfzo::http

#endif  // TFZO_HTTP_TRUSTED_PROXIES_H_
