#ifndef TFZO_CLI_API_CLIENT_H_
#define TFZO_CLI_API_CLIENT_H_

#include <optional>
#include <ostream>
#include <string>
#include <string_view>

#include "core/result.h"
#include "core/secret.h"

namespace tfzo::cli {

// One HTTP answer: status, body (as received) and the server's X-Request-Id.
struct HttpResponse {
  long status = 0;
  std::string body;
  std::string request_id;
  std::string retry_after{};  // the Retry-After header (seconds or an HTTP date), when sent
};

// The accounts server's `/api/v1` API over libcurl, authenticated with `Authorization: Bearer`.
// libcurl honours the usual proxy variables, CA bundles and TLS settings. An answer with any
// HTTP status is a HttpResponse; only a transport failure (DNS, connection, TLS, timeout) is an
// error, with code kUnavailable and curl's explanation. With a verbose log, each request and
// answer is written there as one line, with the key's hint, never the key. Owned by one command
// run; not thread-safe. Requires curl_global_init() (main does it).
class ApiClient {
 public:
  // `ca_file`: PEM bundle to verify the server with instead of the system's CAs ("" = system).
  // Certificates and host names are always verified.
  ApiClient(std::string base_url, Secret key, std::ostream* verbose_log = nullptr,
            std::string ca_file = "");

  // The answer to `method` on base URL + `path`, with `body` as JSON when there is one.
  Result<HttpResponse> Send(std::string_view method, std::string_view path,
                            std::optional<std::string> body);

 private:
  std::string base_url_;
  Secret key_;
  std::ostream* verbose_log_;
  std::string ca_file_;
};

// `segment` percent-encoded (libcurl's curl_easy_escape) for use as one URL path segment.
std::string EscapePathSegment(std::string_view segment);

}  // namespace tfzo::cli

#endif  // TFZO_CLI_API_CLIENT_H_
