#include "http/trusted_proxies.h"

#include <fmt/format.h>

#include <algorithm>
#include <string>

namespace tfzo::http {

namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace

Result<TrustedProxies> TrustedProxies::Parse(std::string_view list) {
  TrustedProxies proxies;
  while (!list.empty()) {
    const size_t comma = list.find(',');
    const std::string_view entry = Trim(list.substr(0, comma));
    list = comma == std::string_view::npos ? std::string_view() : list.substr(comma + 1);
    if (entry.empty()) continue;
    const Status added = proxies.networks_.Add(entry);
    if (!added.ok()) return InvalidRequest("--trusted-proxies: " + added.message());
  }
  return proxies;
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
    const std::optional<Address> hop = IpNetworks::ParseAddress(entry);
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
