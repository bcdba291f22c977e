#ifndef TFZO_HTTP_SAME_ORIGIN_H_
#define TFZO_HTTP_SAME_ORIGIN_H_

#include <string>
#include <string_view>

#include "core/status.h"
#include "http/message.h"

namespace tfzo::http {

// The origin the console's pages are served from, as a browser writes it in `Origin`
// ("https://accounts.example.com", lower-case, no default port), and the check that a
// browser's request came from one of those pages (docs/spec/API.md, "Cross-site requests").
// Value type; its methods are const and thread-safe.
class SameOrigin {
 public:
  // `public_origin`: the origin the server is reached at ("https://host[:port]", a trailing
  // '/' or path is dropped); empty: the request's own Host header, with http or https.
  explicit SameOrigin(std::string_view public_origin = {});

  // Ok, or kCrossSiteRequest when `Sec-Fetch-Site` is there and is neither `same-origin` nor
  // `none` (a navigation the person started), or `Origin` is there and is not this server's
  // origin. A request with neither header is not a browser's cross-site request (the CLI,
  // curl): it passes, and its credentials (Bearer key, CSRF token) still decide.
  Status Check(const HttpRequest& msg) const;

 private:
  bool IsOurs(std::string_view origin, const HttpRequest& msg) const;

  std::string public_origin_;
};

}  // namespace tfzo::http

#endif  // TFZO_HTTP_SAME_ORIGIN_H_
