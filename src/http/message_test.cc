#include "http/message.h"

#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <sstream>

namespace tfzo::http {
namespace {

using beast_http::field;
using beast_http::status;

// What Beast's own serializer writes for `res`: the reference AppendWireForm must match.
std::string BeastWireForm(const HttpResponse& res) {
  std::ostringstream out;
  out << res;
  return out.str();
}

std::string OurWireForm(const HttpResponse& res) {
  std::string out = "kept|";  // appends, never replaces
  AppendWireForm(res, out);
  EXPECT_TRUE(out.starts_with("kept|"));
  return out.substr(5);
}

TEST(MessageTest, WireFormOfAJsonAnswerIsBeasts) {
  HttpResponse res = JsonResponse(status::ok, R"({"a":1})");
  res.set("X-Request-Id", "abc-1");
  res.set(field::cache_control, "no-store");
  EXPECT_EQ(OurWireForm(res), BeastWireForm(res));
  EXPECT_EQ(OurWireForm(res),
            "HTTP/1.1 200 OK\r\nContent-Type: application/json; charset=utf-8\r\n"
            "Content-Length: 7\r\nX-Request-Id: abc-1\r\nCache-Control: no-store\r\n\r\n"
            R"({"a":1})");
}

TEST(MessageTest, WireFormOfErrorsNoContentAndOldClientsIsBeasts) {
  HttpResponse error = ErrorResponse(RateLimited("slow down", 7), true);
  error.keep_alive(false);
  HttpResponse empty{status::no_content, 11};
  HttpResponse old = JsonResponse(status::not_found, "{}");
  old.version(10);
  old.keep_alive(true);
  HttpResponse custom{status::ok, 11};
  custom.reason("Fine");
  for (const HttpResponse* res : {&error, &empty, &old, &custom}) {
    EXPECT_EQ(OurWireForm(*res), BeastWireForm(*res));
  }
  EXPECT_TRUE(OurWireForm(error).starts_with("HTTP/1.1 429 Too Many Requests\r\n"));
  EXPECT_NE(OurWireForm(error).find("Connection: close\r\n"), std::string::npos);
  EXPECT_TRUE(OurWireForm(old).starts_with("HTTP/1.0 404 Not Found\r\n"));
  EXPECT_TRUE(OurWireForm(custom).starts_with("HTTP/1.1 200 Fine\r\n"));
}

TEST(DeferredErrorLogTest, KeepsTheLinesOfAnAttemptUntilEmittedAndDropsTheRest) {
  std::ostringstream out;
  const auto previous = spdlog::default_logger();
  spdlog::set_default_logger(std::make_shared<spdlog::logger>(
      "test", std::make_shared<spdlog::sinks::ostream_sink_st>(out)));
  {
    DeferredErrorLog attempt;  // a cache miss: the answer is thrown away
    ErrorResponse(Status(StatusCode::kUnavailable, "not in the cache"));
  }
  EXPECT_EQ(out.str(), "");
  {
    DeferredErrorLog attempt;  // an answer that is sent
    ErrorResponse(Internal("the disk is on fire"));
    EXPECT_EQ(out.str(), "");
    attempt.Emit();
  }
  EXPECT_NE(out.str().find("answered 500: the disk is on fire"), std::string::npos) << out.str();
  ErrorResponse(Status(StatusCode::kUnavailable, "the store is down"));
  EXPECT_NE(out.str().find("answered 503: the store is down"), std::string::npos) << out.str();
  spdlog::set_default_logger(previous);
}

}  // namespace
}  // namespace tfzo::http
