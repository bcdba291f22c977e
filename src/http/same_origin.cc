#include "http/same_origin.h"

#include <boost/beast/core/string.hpp>
#include <boost/range/iterator_range.hpp>

namespace tfzo::http {

using beast_http::field;

namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

// "scheme://authority" lower-case, without the scheme's default port: an origin as browsers
// serialize it.
std::string Canonical(std::string_view scheme, std::string_view authority) {
  std::string out = Lower(scheme) + "://" + Lower(authority);
  const std::string_view default_port = scheme == "https" ? ":443" : scheme == "http" ? ":80" : "";
  if (!default_port.empty() && std::string_view(out).ends_with(default_port)) {
    out.resize(out.size() - default_port.size());
  }
  return out;
}

// `origin` ("scheme://authority") in canonical form, or "" when it is not one (`null`, a
// path, no scheme).
std::string CanonicalOrigin(std::string_view origin) {
  const size_t sep = origin.find("://");
  if (sep == std::string_view::npos || sep == 0) return {};
  const std::string_view authority = origin.substr(sep + 3);
  if (authority.empty() || authority.find_first_of("/?#@ ") != std::string_view::npos) return {};
  return Canonical(Lower(origin.substr(0, sep)), authority);
}

}  // namespace

SameOrigin::SameOrigin(std::string_view public_origin) {
  if (public_origin.empty()) return;
  const size_t sep = public_origin.find("://");
  const size_t path =
      sep == std::string_view::npos ? std::string_view::npos : public_origin.find('/', sep + 3);
  public_origin_ = CanonicalOrigin(public_origin.substr(0, path));
}

bool SameOrigin::IsOurs(std::string_view origin, const HttpRequest& msg) const {
  const std::string theirs = CanonicalOrigin(Trim(origin));
  if (theirs.empty()) return false;
  if (!public_origin_.empty()) return theirs == public_origin_;
  // Behind a proxy that terminates TLS the browser says https while this server hears http,
  // so without a configured origin either scheme matches the Host the browser sent.
  auto host = msg.find(field::host);
  if (host == msg.end()) return false;
  const std::string_view authority = Trim(host->value());
  if (authority.empty()) return false;
  return theirs == Canonical("https", authority) || theirs == Canonical("http", authority);
}

Status SameOrigin::Check(const HttpRequest& msg) const {
  const Status refused(StatusCode::kCrossSiteRequest,
                       "This request came from another site: sign in and make changes only from "
                       "this server's own pages.");
  for (const auto& f : boost::make_iterator_range(msg.equal_range("Sec-Fetch-Site"))) {
    const std::string_view site = Trim(f.value());
    if (!boost::beast::iequals(site, "same-origin") && !boost::beast::iequals(site, "none")) {
      return refused;
    }
  }
  for (const auto& f : boost::make_iterator_range(msg.equal_range(field::origin))) {
    if (!IsOurs(f.value(), msg)) return refused;
  }
  return Status::Ok();
}

}  // namespace tfzo::http
