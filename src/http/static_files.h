#ifndef TFZO_HTTP_STATIC_FILES_H_
#define TFZO_HTTP_STATIC_FILES_H_

#include <optional>
#include <string>
#include <string_view>

#include "http/message.h"

namespace tfzo::http {

// The web console's files: the copy embedded in the binary at build time, or, for console
// development, a directory read at each request (--web-dir). Read-only; thread-safe.
class StaticFiles {
 public:
  static constexpr std::string_view kContentSecurityPolicy =
      "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
      "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
      "frame-ancestors 'none'";

  // `dir` empty: serve the embedded copy.
  explicit StaticFiles(std::string dir = "") : dir_(std::move(dir)) {}

  // "/" serves index.html. Unknown files answer 404 with the API's error body.
  HttpResponse Serve(std::string_view path) const;

 private:
  std::optional<std::string> Read(std::string_view relative) const;

  std::string dir_;
};

}  // namespace tfzo::http

#endif  // TFZO_HTTP_STATIC_FILES_H_
