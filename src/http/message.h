#ifndef TFZO_HTTP_MESSAGE_H_
#define TFZO_HTTP_MESSAGE_H_

#include <boost/beast/http.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "core/status.h"

namespace tfzo::http {

namespace beast_http = boost::beast::http;
using HttpRequest = beast_http::request<beast_http::string_body>;
using HttpResponse = beast_http::response<beast_http::string_body>;

// One request as the handlers see it: the message, where it came from, and what the router
// took from its path. Handlers never see the socket.
struct Request {
  HttpRequest msg;
  // The client's address: the TCP peer's, or, from a trusted proxy, the one its
  // X-Forwarded-For names (TrustedProxies). Audit events and per-address limits use it.
  std::string remote_ip;
  // "https" or "http": what the client used to reach us. TLS here, or a trusted proxy's
  // X-Forwarded-Proto. Always points at a string literal.
  std::string_view scheme = "http";
  std::string request_id;
  std::string_view path;                                // target without the query string
  std::string_view query;                               // after '?', may be empty
  std::unordered_map<std::string, std::string> params;  // {name} segments of the route
  std::string_view key_check;  // result of the request's key check, for metrics ("" if none)
  bool rate_limited = false;   // refused by a limit without a 429 (verify), for metrics

  const std::string& param(const std::string& name) const { return params.at(name); }
};

// A JSON answer with `status` and `body` (already serialized).
HttpResponse JsonResponse(beast_http::status status, std::string body);

// The error body of docs/spec/API.md for `status`: {"error": {"code", "message"}}, with
// BearerAuthenticator's challenge in WWW-Authenticate on 401s of Bearer paths, and Retry-After
// on 429 and 503. Internal and unavailable errors never carry their details: those go to the
// log.
HttpResponse ErrorResponse(const Status& status, bool bearer_path = false);

// While alive on a thread, ErrorResponse keeps the lines it would log (a 500's cause, a
// store's 503) instead of writing them: for an attempt whose answer may be thrown away.
// Api::TryHandleInline answers from memory; when the cache misses, its 503 "not in the cache"
// is never sent, the request is answered again on a worker, and a line per miss (every first
// use of a key, every unknown key) would flood the log. Emit() writes what was kept; the
// destructor drops the rest. One per thread at a time; not copyable.
class DeferredErrorLog {
 public:
  DeferredErrorLog();
  ~DeferredErrorLog();
  DeferredErrorLog(const DeferredErrorLog&) = delete;
  DeferredErrorLog& operator=(const DeferredErrorLog&) = delete;
  void Emit();
};

// RFC 6797; includeSubDomains is left to the operator (it binds every sibling host).
inline constexpr std::string_view kStrictTransportSecurity = "max-age=31536000";

// The headers every answer carries, from the API or from the transport (a 400 for a request
// that cannot be parsed): X-Content-Type-Options, X-Frame-Options, Referrer-Policy,
// Content-Security-Policy, Cache-Control: no-store unless `cacheable` (console files), and
// with `hsts` (browsers come over HTTPS) Strict-Transport-Security.
void AddSecurityHeaders(HttpResponse& res, bool hsts, bool cacheable = false);

// Appends `res` as it goes on the wire: status line, fields, blank line, body. The same bytes
// as Beast's serializer for a message whose body is sized by Content-Length (this server
// never uses chunked coding), built in one buffer so an answer is sent in one write.
void AppendWireForm(const HttpResponse& res, std::string& out);

// Value of query parameter `name` (percent-decoded), or nullopt.
std::optional<std::string> QueryParam(std::string_view query, std::string_view name);

}  // namespace tfzo::http

#endif  // TFZO_HTTP_MESSAGE_H_
