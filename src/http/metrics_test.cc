#include "http/metrics.h"

#include <gtest/gtest.h>

#include <string>

namespace tfzo::http {
namespace {

using std::chrono::milliseconds;

size_t RequestSeries(const Metrics& metrics) {
  const std::string text = metrics.Render();
  size_t count = 0;
  for (size_t at = text.find("\ntfzo_http_requests_total{"); at != std::string::npos;
       at = text.find("\ntfzo_http_requests_total{", at + 1)) {
    ++count;
  }
  return count;
}

TEST(MetricsTest, KnownMethodsKeepTheirNameAndOthersAreOther) {
  for (std::string_view m : {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}) {
    EXPECT_EQ(Metrics::MethodLabel(m), m);
  }
  for (std::string_view m : {"get", "Get", "PROPFIND", "CONNECT", "TRACE", "BREW", "", "GETX"}) {
    EXPECT_EQ(Metrics::MethodLabel(m), "other") << m;
  }
}

TEST(MetricsTest, RecordsTheMethodLabelNotTheToken) {
  Metrics metrics;
  metrics.RecordRequest("/healthz", "GET", 200, milliseconds(1));
  metrics.RecordRequest("unknown", "FROB", 404, milliseconds(1));
  const std::string text = metrics.Render();
  EXPECT_NE(text.find(R"(tfzo_http_requests_total{route="/healthz",method="GET",status="200"} 1)"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find(R"(tfzo_http_requests_total{route="unknown",method="other",status="404"} 1)"),
            std::string::npos)
      << text;
  EXPECT_EQ(text.find("FROB"), std::string::npos) << text;
}

TEST(MetricsTest, TenThousandOddMethodsAddNoSeries) {
  Metrics metrics;
  metrics.RecordRequest("unknown", "BREW", 404, milliseconds(1));
  const size_t before = RequestSeries(metrics);
  ASSERT_EQ(before, 1u);
  for (int i = 0; i < 10000; ++i) {
    std::string method = "X" + std::to_string(i);
    if (i % 100 == 0) method += std::string(15 * 1024, 'M');
    metrics.RecordRequest("unknown", method, 404, milliseconds(1));
  }
  EXPECT_EQ(RequestSeries(metrics), before);
  const std::string text = metrics.Render();
  EXPECT_NE(
      text.find(R"(tfzo_http_requests_total{route="unknown",method="other",status="404"} 10001)"),
      std::string::npos)
      << text;
  EXPECT_LT(text.size(), 4096u) << "the exposition stays small";
  EXPECT_NE(text.find("tfzo_http_request_duration_seconds_count 10001"), std::string::npos);
}

TEST(MetricsTest, CountsPeriodicJobTicksByJobAndResult) {
  Metrics metrics;
  metrics.RecordJobRun("session_purge", "ran");
  metrics.RecordJobRun("session_purge", "skipped");
  metrics.RecordJobRun("session_purge", "skipped");
  metrics.RecordJobRun("unused_key_revocation", "failed");
  const std::string text = metrics.Render();
  EXPECT_NE(text.find("# TYPE tfzo_job_runs_total counter"), std::string::npos);
  EXPECT_NE(text.find(R"(tfzo_job_runs_total{job="session_purge",result="ran"} 1)"),
            std::string::npos);
  EXPECT_NE(text.find(R"(tfzo_job_runs_total{job="session_purge",result="skipped"} 2)"),
            std::string::npos);
  EXPECT_NE(text.find(R"(tfzo_job_runs_total{job="unused_key_revocation",result="failed"} 1)"),
            std::string::npos);
}

}  // namespace
}  // namespace tfzo::http
