#ifndef TFZO_HTTP_METRICS_H_
#define TFZO_HTTP_METRICS_H_

#include <array>
#include <atomic>
#include <chrono>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>

namespace tfzo::http {

// Counters for /metrics in the Prometheus text format: requests by route, method and status,
// a request latency histogram, and key checks by result code. Owned by the server's wiring;
// thread-safe.
//
// Every label value comes from a fixed set, so no request can add a series: the method is one
// of kMethods or "other" (RecordRequest maps it), the route is a pattern the router knows,
// "static" or "unknown" (Api::Dispatch picks it), the status is one the server answers.
class Metrics {
 public:
  // The methods recorded by name (exact, case-sensitive tokens); any other is "other".
  static constexpr std::array<std::string_view, 7> kMethods = {"GET",   "HEAD",   "POST",   "PUT",
                                                               "PATCH", "DELETE", "OPTIONS"};
  static constexpr std::string_view kOtherMethod = "other";

  // `method` if it is one of kMethods, else kOtherMethod.
  static std::string_view MethodLabel(std::string_view method);

  // Upper bounds of the latency histogram's buckets, in seconds.
  static constexpr std::array<double, 12> kBuckets = {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005,
                                                      0.01,   0.025,   0.05,   0.1,   0.5,    1.0};

  // `route` must come from a fixed set (see above); `method` may be any token.
  void RecordRequest(std::string_view route, std::string_view method, unsigned status,
                     std::chrono::steady_clock::duration elapsed);
  void RecordKeyCheck(std::string_view result);
  void RecordRateLimited(std::string_view kind);
  // One tick of the periodic job `job` (a name of the code's: expiry_notices, session_purge,
  // unused_key_revocation) on this node; `result` "ran", "skipped" (another node had the
  // interval) or "failed".
  void RecordJobRun(std::string_view job, std::string_view result);
  // The strings of one report of exposed keys (POST /api/v1/credentials/revoke), by outcome.
  void RecordExposedCredentials(uint64_t revoked, uint64_t inactive, uint64_t unknown,
                                uint64_t malformed);
  std::string Render() const;

 private:
  mutable std::mutex mu_;
  std::map<std::tuple<std::string, std::string, unsigned>, uint64_t> requests_;  // guarded
  std::map<std::string, uint64_t> key_checks_;                                   // guarded
  std::map<std::string, uint64_t> rate_limited_;                                 // guarded
  std::map<std::pair<std::string, std::string>, uint64_t> job_runs_;             // guarded
  std::array<uint64_t, kBuckets.size() + 1> latency_buckets_{};                  // guarded
  double latency_sum_ = 0;                                                       // guarded
  uint64_t latency_count_ = 0;                                                   // guarded

  // Exposed credentials reported: revoked, inactive, unknown, malformed. Guarded by mu_.
  std::array<uint64_t, 4> exposed_{};
};

}  // namespace tfzo::http

#endif  // TFZO_HTTP_METRICS_H_
