#ifndef TFZO_HTTP_ROUTER_H_
#define TFZO_HTTP_ROUTER_H_

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "http/message.h"

namespace tfzo::http {

// Maps a method and a path to a handler. Patterns are '/'-separated; a "{name}" segment
// matches any one non-empty segment and is passed in Request::params. Built once at start,
// then read-only: Find() is thread-safe.
class Router {
 public:
  using Handler = std::function<HttpResponse(Request&)>;

  struct Match {
    const Handler* handler = nullptr;  // null: see `allow`
    std::string_view pattern;          // the route, for metrics ("/api/keys/{key}")
    std::string allow;                 // methods of a path that matched with another method
    bool may_run_inline = false;       // see Add()
  };

  // `may_run_inline`: the handler may be tried on an I/O thread in cache-only mode (see
  // KeyVerifier::CacheOnlyScope); it must have no side effect before its last cache lookup.
  void Add(beast_http::verb method, std::string pattern, Handler handler,
           bool may_run_inline = false);

  // The handler for (method, path), filling `params`; when none, `allow` lists the methods
  // the path does answer (405) or is empty (404).
  Match Find(beast_http::verb method, std::string_view path,
             std::unordered_map<std::string, std::string>& params) const;

 private:
  struct Route {
    beast_http::verb method;
    std::string pattern;
    std::vector<std::string> segments;
    Handler handler;
    bool may_run_inline;
  };
  static bool Matches(const Route& route, const std::vector<std::string_view>& segments,
                      std::unordered_map<std::string, std::string>* params);

  std::vector<Route> routes_;
};

}  // namespace tfzo::http

#endif  // TFZO_HTTP_ROUTER_H_
