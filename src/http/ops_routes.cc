#include "http/ops_routes.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

namespace tfzo::http {

using beast_http::field;
using beast_http::status;
using beast_http::verb;

void AddOpsRoutes(Routes& routes, const OpsServices& svc) {
  routes.Public(verb::get, "/healthz", [svc](Request&) -> Result<HttpResponse> {
    Status ping = svc.store.Ping();
    if (!ping.ok()) {
      spdlog::warn("healthz: the store is unreachable: {}", ping.message());
      return Json({{"status", "unavailable"}}, status::service_unavailable);
    }
    return Json({{"status", "ok"}});
  });
  routes.Public(verb::get, "/metrics", [svc](Request&) -> Result<HttpResponse> {
    HttpResponse res{status::ok, 11};
    res.set(field::content_type, "text/plain; version=0.0.4; charset=utf-8");
    const KeyVerifier::Stats cache = svc.verifier.stats();
    res.body() =
        svc.metrics.Render() +
        fmt::format(
            "# HELP tfzo_key_cache_hits_total Key checks answered from memory.\n"
            "# TYPE tfzo_key_cache_hits_total counter\n"
            "tfzo_key_cache_hits_total {}\n"
            "# HELP tfzo_key_cache_misses_total Key checks that read the store.\n"
            "# TYPE tfzo_key_cache_misses_total counter\n"
            "tfzo_key_cache_misses_total {}\n"
            "# HELP tfzo_key_cache_keys Key secrets cached in memory.\n"
            "# TYPE tfzo_key_cache_keys gauge\n"
            "tfzo_key_cache_keys {}\n"
            "# HELP tfzo_membership_cache_accounts Accounts whose memberships are cached.\n"
            "# TYPE tfzo_membership_cache_accounts gauge\n"
            "tfzo_membership_cache_accounts {}\n",
            cache.hits, cache.misses, cache.cached_keys, cache.cached_accounts);
    res.prepare_payload();
    return res;
  });
}

}  // namespace tfzo::http
