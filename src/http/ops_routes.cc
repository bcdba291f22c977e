#include "http/ops_routes.h"

#include <fmt/format.h>

#include "core/digest.h"
#include "core/embedded_file.h"

namespace tfzo::openapi {
const std::vector<tfzo::EmbeddedFile>& Files();  // docs/openapi.yaml as JSON (src/http/CMakeLists)
}  // namespace tfzo::openapi

namespace tfzo::http {

using beast_http::field;
using beast_http::status;
using beast_http::verb;

namespace {

// True when an If-None-Match list ("a", W/"b", or *) names `etag`.
bool NoneMatchNames(std::string_view list, std::string_view etag) {
  while (!list.empty()) {
    const size_t comma = list.find(',');
    std::string_view item = list.substr(0, comma);
    list = comma == std::string_view::npos ? std::string_view() : list.substr(comma + 1);
    while (!item.empty() && (item.front() == ' ' || item.front() == '\t')) item.remove_prefix(1);
    while (!item.empty() && (item.back() == ' ' || item.back() == '\t')) item.remove_suffix(1);
    if (item.starts_with("W/")) item.remove_prefix(2);
    if (item == "*" || item == etag) return true;
  }
  return false;
}

// GET /api/openapi.json: the API description compiled in, with an ETag of its bytes so that
// the console's reference page and generators revalidate it cheaply (304).
void AddOpenApiRoute(Routes& routes) {
  routes.Public(verb::get, "/api/openapi.json", [](Request& request) -> Result<HttpResponse> {
    static const std::string_view document = tfzo::openapi::Files().front().data;
    static const std::string etag = "\"" + ToHex(Sha256(document)).substr(0, 32) + "\"";
    const auto asked = request.msg.find(field::if_none_match);
    if (asked != request.msg.end() && NoneMatchNames(asked->value(), etag)) {
      HttpResponse res{status::not_modified, 11};
      res.set(field::etag, etag);
      return res;
    }
    HttpResponse res{status::ok, 11};
    res.set(field::content_type, "application/json; charset=utf-8");
    res.set(field::etag, etag);
    res.set(field::cache_control, "no-cache");
    res.body() = std::string(document);
    res.prepare_payload();
    return res;
  });
}

}  // namespace

void AddOpsRoutes(Routes& routes, const OpsServices& svc) {
  AddOpenApiRoute(routes);
  routes.Public(
      verb::get, "/healthz",
      [svc](Request&) -> Result<HttpResponse> {
        const KeyVerifier::Serving serving = svc.verifier.serving();
        switch (serving.level) {
          case KeyVerifier::Serving::Level::kAll:
            return Json({{"status", "ok"}});
          case KeyVerifier::Serving::Level::kCachedOnly:
            return Json({{"status", "degraded"}, {"stale_since", FormatRfc3339(serving.since)}});
          case KeyVerifier::Serving::Level::kNothing:
            break;
        }
        return Json({{"status", "unavailable"}}, status::service_unavailable);
      },
      /*may_run_inline=*/true);
  routes.Public(verb::get, "/metrics", [svc](Request&) -> Result<HttpResponse> {
    HttpResponse res{status::ok, 11};
    res.set(field::content_type, "text/plain; version=0.0.4; charset=utf-8");
    const KeyVerifier::Stats cache = svc.verifier.stats();
    const Freshness freshness = svc.store.freshness();
    const UsageRecorder::Stats usage = svc.usage.stats();
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
            "tfzo_membership_cache_accounts {}\n"
            "# HELP tfzo_key_checks_stale_total Key checks answered from the cache while the "
            "store was unreachable (within --stale-for).\n"
            "# TYPE tfzo_key_checks_stale_total counter\n"
            "tfzo_key_checks_stale_total {}\n"
            "# HELP tfzo_store_current 1 while this node has heard every committed change.\n"
            "# TYPE tfzo_store_current gauge\n"
            "tfzo_store_current {}\n"
            "# HELP tfzo_change_log_sequence The newest change applied to this node's caches.\n"
            "# TYPE tfzo_change_log_sequence gauge\n"
            "tfzo_change_log_sequence {}\n"
            "# HELP tfzo_change_log_catchups_total Times missed changes were read back from "
            "the change log.\n"
            "# TYPE tfzo_change_log_catchups_total counter\n"
            "tfzo_change_log_catchups_total {}\n"
            "# HELP tfzo_usage_flushes_total Usage flushes (last_used_at written in a batch) "
            "that had uses to write.\n"
            "# TYPE tfzo_usage_flushes_total counter\n"
            "tfzo_usage_flushes_total {}\n"
            "# HELP tfzo_usage_flush_failures_total Usage flushes the store refused (their uses "
            "wait for the next).\n"
            "# TYPE tfzo_usage_flush_failures_total counter\n"
            "tfzo_usage_flush_failures_total {}\n"
            "# HELP tfzo_usage_uses_written_total Key uses written by the usage flushes.\n"
            "# TYPE tfzo_usage_uses_written_total counter\n"
            "tfzo_usage_uses_written_total {}\n"
            "# HELP tfzo_usage_flush_seconds_total Time spent in usage flushes.\n"
            "# TYPE tfzo_usage_flush_seconds_total counter\n"
            "tfzo_usage_flush_seconds_total {:.6f}\n"
            "# HELP tfzo_usage_flush_last_seconds The latest usage flush's time.\n"
            "# TYPE tfzo_usage_flush_last_seconds gauge\n"
            "tfzo_usage_flush_last_seconds {:.6f}\n"
            "# HELP tfzo_usage_flush_last_success_timestamp_seconds The end of the latest usage "
            "flush that left no use unwritten (Unix time; 0: none yet).\n"
            "# TYPE tfzo_usage_flush_last_success_timestamp_seconds gauge\n"
            "tfzo_usage_flush_last_success_timestamp_seconds {:.3f}\n",
            cache.hits, cache.misses, cache.cached_keys, cache.cached_accounts, cache.stale,
            freshness.current ? 1 : 0, cache.applied_seq, freshness.catchups, usage.flushes,
            usage.failed_flushes, usage.uses_written, usage.seconds, usage.last_seconds,
            usage.caught_up_unix);
    res.prepare_payload();
    return res;
  });
}

}  // namespace tfzo::http
