#include "http/metrics.h"

#include <fmt/format.h>

namespace tfzo::http {

std::string_view Metrics::MethodLabel(std::string_view method) {
  for (std::string_view known : kMethods) {
    if (method == known) return known;
  }
  return kOtherMethod;
}

void Metrics::RecordRequest(std::string_view route, std::string_view method, unsigned status,
                            std::chrono::steady_clock::duration elapsed) {
  const double seconds = std::chrono::duration<double>(elapsed).count();
  size_t bucket = 0;
  while (bucket < kBuckets.size() && seconds > kBuckets[bucket]) ++bucket;
  std::lock_guard lock(mu_);
  ++requests_[{std::string(route), std::string(MethodLabel(method)), status}];
  ++latency_buckets_[bucket];
  latency_sum_ += seconds;
  ++latency_count_;
}

void Metrics::RecordKeyCheck(std::string_view result) {
  std::lock_guard lock(mu_);
  ++key_checks_[std::string(result)];
}

void Metrics::RecordRateLimited(std::string_view kind) {
  std::lock_guard lock(mu_);
  ++rate_limited_[std::string(kind)];
}

void Metrics::RecordJobRun(std::string_view job, std::string_view result) {
  std::lock_guard lock(mu_);
  ++job_runs_[{std::string(job), std::string(result)}];
}

void Metrics::RecordExposedCredentials(uint64_t revoked, uint64_t inactive, uint64_t unknown,
                                       uint64_t malformed) {
  std::lock_guard lock(mu_);
  exposed_[0] += revoked;
  exposed_[1] += inactive;
  exposed_[2] += unknown;
  exposed_[3] += malformed;
}

std::string Metrics::Render() const {
  std::lock_guard lock(mu_);
  std::string out;
  out += "# HELP tfzo_http_requests_total HTTP requests by route, method and status.\n";
  out += "# TYPE tfzo_http_requests_total counter\n";
  for (const auto& [labels, count] : requests_) {
    const auto& [route, method, status] = labels;
    out += fmt::format("tfzo_http_requests_total{{route=\"{}\",method=\"{}\",status=\"{}\"}} {}\n",
                       route, method, status, count);
  }
  out += "# HELP tfzo_http_request_duration_seconds Time to answer a request.\n";
  out += "# TYPE tfzo_http_request_duration_seconds histogram\n";
  uint64_t cumulative = 0;
  for (size_t i = 0; i < kBuckets.size(); ++i) {
    cumulative += latency_buckets_[i];
    out += fmt::format("tfzo_http_request_duration_seconds_bucket{{le=\"{}\"}} {}\n", kBuckets[i],
                       cumulative);
  }
  cumulative += latency_buckets_[kBuckets.size()];
  out += fmt::format("tfzo_http_request_duration_seconds_bucket{{le=\"+Inf\"}} {}\n", cumulative);
  out += fmt::format("tfzo_http_request_duration_seconds_sum {}\n", latency_sum_);
  out += fmt::format("tfzo_http_request_duration_seconds_count {}\n", latency_count_);
  out += "# HELP tfzo_key_checks_total API key checks by result (valid or the error code).\n";
  out += "# TYPE tfzo_key_checks_total counter\n";
  for (const auto& [result, count] : key_checks_) {
    out += fmt::format("tfzo_key_checks_total{{result=\"{}\"}} {}\n", result, count);
  }
  out +=
      "# HELP tfzo_rate_limited_total Requests refused by a limit (login: failed sign-ins per "
      "email or address; signup: sign-ups per address; key: unknown keys per address; mail: "
      "links and invitations mailed per account or address; report: reports of exposed keys "
      "per address; device: device codes per address, unknown user codes per account or "
      "address).\n";
  out += "# TYPE tfzo_rate_limited_total counter\n";
  for (const char* kind : {"device", "key", "login", "mail", "report", "signup"}) {
    auto it = rate_limited_.find(kind);
    out += fmt::format("tfzo_rate_limited_total{{kind=\"{}\"}} {}\n", kind,
                       it == rate_limited_.end() ? 0 : it->second);
  }
  out +=
      "# HELP tfzo_exposed_credentials_total Strings reported as exposed keys, by outcome "
      "(revoked: a live key, revoked; inactive: already revoked, expired or rotated away; "
      "unknown: no such key; malformed: not a key).\n";
  out += "# TYPE tfzo_exposed_credentials_total counter\n";
  constexpr std::array<const char*, 4> kOutcomes = {"revoked", "inactive", "unknown", "malformed"};
  for (size_t i = 0; i < kOutcomes.size(); ++i) {
    out += fmt::format("tfzo_exposed_credentials_total{{result=\"{}\"}} {}\n", kOutcomes[i],
                       exposed_[i]);
  }
  out +=
      "# HELP tfzo_job_runs_total Periodic job ticks on this node by job and result (ran; "
      "skipped: another node ran it in the interval, or is running it; failed).\n";
  out += "# TYPE tfzo_job_runs_total counter\n";
  for (const auto& [labels, count] : job_runs_) {
    out += fmt::format("tfzo_job_runs_total{{job=\"{}\",result=\"{}\"}} {}\n", labels.first,
                       labels.second, count);
  }
  return out;
}

}  // namespace tfzo::http
