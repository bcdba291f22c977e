#ifndef TFZO_HTTP_PUBLIC_URL_H_
#define TFZO_HTTP_PUBLIC_URL_H_

#include <string>
#include <string_view>

#include "core/result.h"

namespace tfzo::http {

// The console's address as people reach it (--public-url), which may differ from the address
// the server listens on (behind a proxy). Its scheme decides whether browsers are served over
// HTTPS (the __Host- Secure session cookie, HSTS); its origin is the one same-origin requests
// carry; links in mails start with `base`. A value type.
struct PublicUrl {
  // "http://host[:port][/path]" or "https://...", without user, query or fragment.
  static Result<PublicUrl> Parse(std::string_view text);

  bool https = false;
  std::string origin;  // scheme://host[:port], lower-case, default port omitted
  std::string base;    // origin and path, without a trailing '/'
};

}  // namespace tfzo::http

#endif  // TFZO_HTTP_PUBLIC_URL_H_
