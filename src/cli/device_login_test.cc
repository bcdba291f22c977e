#include "cli/device_login.h"

#include <gtest/gtest.h>

#include <deque>
#include <vector>

namespace tfzo::cli {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr char kCode[] = R"({"device_code": "dc_1", "user_code": "BCDF-GHJK",
  "verification_uri": "http://127.0.0.1:8080/#/device",
  "verification_uri_complete": "http://127.0.0.1:8080/#/device?code=BCDF-GHJK",
  "expires_in": 900, "interval": 5})";

HttpResponse Error(long status, const std::string& code) {
  return {status, R"({"error": {"code": ")" + code + R"(", "message": "m"}})", ""};
}

HttpResponse Approved() { return {200, R"({"key": {}, "secret": "s"})", ""}; }

Result<HttpResponse> Unreachable() { return Status(StatusCode::kUnavailable, "no route"); }

// Answers the token requests from a script and records the waits in between.
struct Script {
  std::deque<Result<HttpResponse>> answers;
  std::vector<milliseconds> waits;
  int asked = 0;
  bool interrupt_at_next_sleep = false;
  bool interrupted_flag = false;

  PollHooks Hooks() {
    return {.ask = [this]() -> Result<HttpResponse> {
              ++asked;
              if (answers.empty()) return Status(StatusCode::kUnavailable, "no more");
              Result<HttpResponse> r = answers.front();
              answers.pop_front();
              return r;
            },
            .sleep =
                [this](milliseconds d) {
                  waits.push_back(d);
                  return !interrupt_at_next_sleep;
                },
            .interrupted = [this] { return interrupted_flag; }};
  }
};

TEST(DeviceLoginTest, ParsesAndChecksTheCode) {
  auto code = ParseDeviceCode(kCode);
  ASSERT_TRUE(code.ok()) << code.status().message();
  EXPECT_EQ(code->user_code, "BCDF-GHJK");
  EXPECT_EQ(code->interval, seconds(5));
  EXPECT_EQ(code->expires_in, seconds(900));
  EXPECT_EQ(code->verification_uri_complete, "http://127.0.0.1:8080/#/device?code=BCDF-GHJK");

  // What is printed and handed to a browser must be plain: no escape sequences, no spaces, no
  // other scheme.
  auto bad_uri = nlohmann::json::parse(kCode);
  bad_uri["verification_uri"] = "http://h/\x1b]8;;x\x07";
  EXPECT_FALSE(ParseDeviceCode(bad_uri.dump()).ok());
  bad_uri["verification_uri"] = "javascript:alert(1)";
  EXPECT_FALSE(ParseDeviceCode(bad_uri.dump()).ok());
  auto bad_complete = nlohmann::json::parse(kCode);
  bad_complete["verification_uri_complete"] = "http://h/ --flag";
  EXPECT_FALSE(ParseDeviceCode(bad_complete.dump()).ok());
  auto bad_user = nlohmann::json::parse(kCode);
  bad_user["user_code"] = "AB\u202eCD";
  EXPECT_FALSE(ParseDeviceCode(bad_user.dump()).ok());
  auto no_device = nlohmann::json::parse(kCode);
  no_device.erase("device_code");
  EXPECT_FALSE(ParseDeviceCode(no_device.dump()).ok());
  EXPECT_FALSE(ParseDeviceCode("[]").ok());

  // A zero or absurd interval is kept within bounds; a missing one is RFC 8628's 5 s.
  auto fast = nlohmann::json::parse(kCode);
  fast["interval"] = 0;
  EXPECT_EQ(ParseDeviceCode(fast.dump())->interval, seconds(1));
  fast.erase("interval");
  EXPECT_EQ(ParseDeviceCode(fast.dump())->interval, seconds(5));
}

TEST(DeviceLoginTest, ClassifiesTokenAnswers) {
  EXPECT_EQ(ClassifyTokenAnswer(Error(400, "authorization_pending")), TokenState::kPending);
  EXPECT_EQ(ClassifyTokenAnswer(Error(400, "slow_down")), TokenState::kSlowDown);
  EXPECT_EQ(ClassifyTokenAnswer(Error(429, "rate_limited")), TokenState::kSlowDown);
  EXPECT_EQ(ClassifyTokenAnswer(Error(400, "access_denied")), TokenState::kDenied);
  EXPECT_EQ(ClassifyTokenAnswer(Error(400, "expired_token")), TokenState::kExpired);
  EXPECT_EQ(ClassifyTokenAnswer(Error(400, "invalid_request")), TokenState::kUnexpected);
  EXPECT_EQ(ClassifyTokenAnswer(Error(500, "internal")), TokenState::kUnexpected);
  EXPECT_EQ(ClassifyTokenAnswer({200, R"({"secret": "x"})", ""}), TokenState::kApproved);
}

TEST(DeviceLoginTest, PollsAtTheIntervalAndSlowsDownBy5Seconds) {
  Script s;
  s.answers = {Error(400, "authorization_pending"), Error(400, "slow_down"),
               Error(400, "authorization_pending"), Error(400, "slow_down"), Approved()};
  auto outcome = PollForToken(*ParseDeviceCode(kCode), s.Hooks());
  ASSERT_TRUE(outcome.ok());
  EXPECT_EQ(outcome->state, TokenState::kApproved);
  EXPECT_EQ(s.asked, 5);
  // Never faster than the interval, which grows by 5 s at each slow_down and stays grown.
  EXPECT_EQ(s.waits, (std::vector<milliseconds>{seconds(5), seconds(5), seconds(10), seconds(10),
                                                seconds(15)}));
}

TEST(DeviceLoginTest, StopsAtDeniedOrExpired) {
  for (const char* code : {"access_denied", "expired_token", "invalid_request"}) {
    Script s;
    s.answers = {Error(400, "authorization_pending"), Error(400, code),
                 Error(400, "authorization_pending")};
    auto outcome = PollForToken(*ParseDeviceCode(kCode), s.Hooks());
    ASSERT_TRUE(outcome.ok());
    EXPECT_EQ(s.asked, 2) << code;
    EXPECT_FALSE(outcome->interrupted);
    EXPECT_EQ(outcome->state, ClassifyTokenAnswer(Error(400, code)));
    ASSERT_TRUE(outcome->last.has_value());
  }
}

TEST(DeviceLoginTest, GivesUpWhenTheCodeHasExpiredLocally) {
  auto json = nlohmann::json::parse(kCode);
  json["expires_in"] = 12;
  Script s;
  for (int i = 0; i < 10; ++i) s.answers.push_back(Error(400, "authorization_pending"));
  auto outcome = PollForToken(*ParseDeviceCode(json.dump()), s.Hooks());
  ASSERT_TRUE(outcome.ok());
  EXPECT_EQ(outcome->state, TokenState::kExpired);
  EXPECT_TRUE(outcome->expired_locally);
  EXPECT_EQ(s.asked, 3);  // after 5, 10 and 15 s
}

TEST(DeviceLoginTest, CtrlCStopsWaitingButNeverDropsAnIssuedKey) {
  Script waiting;
  waiting.interrupt_at_next_sleep = true;
  auto outcome = PollForToken(*ParseDeviceCode(kCode), waiting.Hooks());
  ASSERT_TRUE(outcome.ok());
  EXPECT_TRUE(outcome->interrupted);
  EXPECT_EQ(waiting.asked, 0);

  Script during_pending;
  during_pending.answers = {Error(400, "authorization_pending")};
  during_pending.interrupted_flag = true;
  outcome = PollForToken(*ParseDeviceCode(kCode), during_pending.Hooks());
  EXPECT_TRUE(outcome->interrupted);

  // The key exists once the server answered 200: it is returned to be stored, not dropped.
  Script during_approval;
  during_approval.answers = {Approved()};
  during_approval.interrupted_flag = true;
  outcome = PollForToken(*ParseDeviceCode(kCode), during_approval.Hooks());
  EXPECT_FALSE(outcome->interrupted);
  EXPECT_EQ(outcome->state, TokenState::kApproved);
}

TEST(DeviceLoginTest, WaitsOutANetworkBlipButNotAnOutage) {
  Script blip;
  blip.answers = {Unreachable(), Unreachable(), Error(400, "authorization_pending"),
                  Unreachable(), Unreachable(), Approved()};
  auto outcome = PollForToken(*ParseDeviceCode(kCode), blip.Hooks());
  ASSERT_TRUE(outcome.ok()) << outcome.status().message();
  EXPECT_EQ(outcome->state, TokenState::kApproved);
  EXPECT_EQ(blip.asked, 6);

  Script outage;
  outage.answers = {Error(400, "authorization_pending"), Unreachable(), Unreachable(),
                    Unreachable(), Approved()};
  outcome = PollForToken(*ParseDeviceCode(kCode), outage.Hooks());
  ASSERT_FALSE(outcome.ok());
  EXPECT_EQ(outcome.status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(outage.asked, 4);

  Script other;
  other.answers = {Result<HttpResponse>(Internal("answer too large"))};
  outcome = PollForToken(*ParseDeviceCode(kCode), other.Hooks());
  ASSERT_FALSE(outcome.ok());
  EXPECT_EQ(other.asked, 1);
}

TEST(DeviceLoginTest, AddsTheOrgToTheFragmentsQuery) {
  EXPECT_EQ(AddQueryParameter("http://h/#/device?code=AB-CD", "org", "acme"),
            "http://h/#/device?code=AB-CD&org=acme");
  EXPECT_EQ(AddQueryParameter("http://h/#/device", "org", "a b&c"),
            "http://h/#/device?org=a%20b%26c");
  EXPECT_EQ(AddQueryParameter("http://h/device?x=1", "org", "o"), "http://h/device?x=1&org=o");
  EXPECT_EQ(AddQueryParameter("http://h/?x=1#/device", "org", "o"), "http://h/?x=1#/device?org=o");
}

}  // namespace
}  // namespace tfzo::cli
