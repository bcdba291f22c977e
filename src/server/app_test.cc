// The wiring as the server builds it (BuildApp over a real SQLite store in memory and a fake
// clock), driven through Api::Handle without sockets: the limits and lifetimes the wiring
// connects are the ones docs/spec/API.md names.

#include "server/app.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "core/api_key.h"
#include "http/http_server.h"
#include "http/routes.h"
#include "testing/memory_store.h"

namespace tfzo {
namespace {

namespace beast_http = boost::beast::http;
using beast_http::verb;
using nlohmann::json;

constexpr int kKeyFailureLimit = 3;

class AppTest : public ::testing::Test {
 protected:
  AppTest()
      : store_(testing::OpenMemoryStore()),
        clock_(FromUnix(1'800'000'000)),
        app_(BuildApp(AppOptions{.key_failure_limit = kKeyFailureLimit,
                                 .usage_interval = std::chrono::hours(1),
                                 .password_params = PasswordHasher::kCheapParams},
                      *store_, clock_, random_)) {}

  struct Sent {
    unsigned status;
    json body;
    http::HttpResponse res;
  };

  Sent Send(verb method, const std::string& target, const json& body = nullptr,
            const std::string& cookie = "", const std::string& csrf = "",
            const std::string& bearer = "") {
    http::Request req;
    req.msg = http::HttpRequest(method, target, 11);
    req.remote_ip = remote_ip_;
    req.request_id = "test";
    if (!cookie.empty()) {
      req.msg.set(beast_http::field::cookie,
                  std::string(http::SessionCookieName(false)) + "=" + cookie);
    }
    if (!csrf.empty()) req.msg.set("X-CSRF-Token", csrf);
    if (!bearer.empty()) req.msg.set(beast_http::field::authorization, "Bearer " + bearer);
    if (!body.is_null()) {
      req.msg.set(beast_http::field::content_type, "application/json");
      req.msg.body() = body.dump();
    }
    req.msg.prepare_payload();
    http::HttpResponse res = app_->api.Handle(req);
    json j = json::parse(res.body(), nullptr, false);
    return {res.result_int(), j, std::move(res)};
  }

  // Signs up `email`; its session cookie value and CSRF token.
  std::pair<std::string, std::string> SignUp(const std::string& email) {
    Sent s = Send(verb::post, "/api/signup", {{"email", email}, {"password", "password123"}});
    EXPECT_EQ(s.status, 201u);
    const std::string set_cookie(s.res[beast_http::field::set_cookie]);
    const size_t eq = set_cookie.find('='), semi = set_cookie.find(';');
    return {set_cookie.substr(eq + 1, semi - eq - 1), s.body["csrf_token"]};
  }

  std::string Code(const Sent& s) { return s.body["error"]["code"]; }

  std::string remote_ip_ = "192.0.2.7";
  std::unique_ptr<Store> store_;
  FakeClock clock_;
  SodiumRandom random_;
  std::unique_ptr<App> app_;
};

TEST_F(AppTest, ConsoleStateChangesNeedTheCsrfToken) {
  auto [cookie, csrf] = SignUp("a@example.com");
  EXPECT_EQ(Send(verb::get, "/api/orgs", nullptr, cookie).status, 200u);
  Sent refused = Send(verb::post, "/api/orgs", {{"name", "Acme"}}, cookie);
  EXPECT_EQ(refused.status, 403u);
  EXPECT_EQ(Code(refused), "csrf_failed");
  EXPECT_EQ(Send(verb::post, "/api/orgs", {{"name", "Acme"}}, cookie, "x" + csrf).status, 403u);
  EXPECT_EQ(Send(verb::post, "/api/orgs", {{"name", "Acme"}}, cookie, csrf).status, 201u);
}

TEST_F(AppTest, IdleSessionsEnd) {
  auto [cookie, csrf] = SignUp("a@example.com");
  clock_.Advance(AccountService::kSessionIdleTimeout);
  Sent s = Send(verb::get, "/api/session", nullptr, cookie);
  EXPECT_EQ(s.status, 401u);
  EXPECT_EQ(Code(s), "unauthenticated");
}

TEST_F(AppTest, FailedLoginsAreThrottledPerEmail) {
  SignUp("a@example.com");
  const json wrong = {{"email", "a@example.com"}, {"password", "wrong-password"}};
  const json right = {{"email", "a@example.com"}, {"password", "password123"}};
  for (int i = 0; i < AccountService::kLoginFailureLimit; ++i) {
    EXPECT_EQ(Send(verb::post, "/api/login", wrong).status, 401u);
  }
  Sent throttled = Send(verb::post, "/api/login", right);
  EXPECT_EQ(throttled.status, 429u);
  EXPECT_FALSE(throttled.res[beast_http::field::retry_after].empty());
  clock_.Advance(AccountService::kLoginFailureWindow);
  EXPECT_EQ(Send(verb::post, "/api/login", right).status, 200u);
}

TEST_F(AppTest, FailedLoginsAreThrottledPerAddressWhateverTheEmails) {
  SignUp("a@example.com");
  const json right = {{"email", "a@example.com"}, {"password", "password123"}};
  for (int i = 0; i < AccountService::kDefaultLoginAddressLimit; ++i) {
    const json wrong = {{"email", "guess" + std::to_string(i) + "@example.com"},
                        {"password", "wrong-password"}};
    ASSERT_EQ(Send(verb::post, "/api/login", wrong).status, 401u) << i;
  }
  Sent throttled = Send(verb::post, "/api/login", right);
  EXPECT_EQ(throttled.status, 429u);
  EXPECT_EQ(Code(throttled), "rate_limited");
  EXPECT_FALSE(throttled.res[beast_http::field::retry_after].empty());
  EXPECT_EQ(Send(verb::post, "/api/login", right).status, 429u);
  // Audited once per block, with the account as target and no actor.
  auto account = store_->FindAccountByEmail("a@example.com");
  ASSERT_TRUE(account.ok());
  auto events = store_->ListEvents(account->id, 100, std::nullopt);
  ASSERT_TRUE(events.ok());
  int throttled_events = 0;
  for (const EventRecord& e : *events) {
    if (e.action != "session.login_throttled") continue;
    ++throttled_events;
    EXPECT_FALSE(e.actor_id.has_value());
    EXPECT_EQ(e.target_id, account->id);
    EXPECT_EQ(e.ip, "192.0.2.7");
  }
  EXPECT_EQ(throttled_events, 1);
  // Another address is not affected; this one is again once the window has passed.
  remote_ip_ = "192.0.2.8";
  EXPECT_EQ(Send(verb::post, "/api/login", right).status, 200u);
  remote_ip_ = "192.0.2.7";
  clock_.Advance(AccountService::kLoginAddressWindow);
  EXPECT_EQ(Send(verb::post, "/api/login", right).status, 200u);
}

TEST_F(AppTest, SignupsAreThrottledPerAddress) {
  for (int i = 0; i < AccountService::kDefaultSignupAddressLimit; ++i) {
    SignUp("user" + std::to_string(i) + "@example.com");
  }
  const json another = {{"email", "one-more@example.com"}, {"password", "password123"}};
  Sent throttled = Send(verb::post, "/api/signup", another);
  EXPECT_EQ(throttled.status, 429u);
  EXPECT_EQ(Code(throttled), "rate_limited");
  EXPECT_FALSE(throttled.res[beast_http::field::retry_after].empty());
  remote_ip_ = "192.0.2.8";
  EXPECT_EQ(Send(verb::post, "/api/signup", another).status, 201u);
  remote_ip_ = "192.0.2.7";
  clock_.Advance(AccountService::kSignupAddressWindow);
  SignUp("later@example.com");
}

TEST(SizeHashingPoolTest, SignInsInProgressStayBelowTheHttpWorkers) {
  auto size = [](int hash_threads, int http_workers, unsigned cores) {
    HashingPoolSize s = SizeHashingPool(hash_threads, http_workers, cores);
    return std::pair(s.threads, s.max_waiting);
  };
  EXPECT_EQ(size(0, 4, 2), std::pair(1, 2));  // half the cores, twice that waiting
  EXPECT_EQ(size(0, 4, 1), std::pair(1, 2));  // at least one thread
  EXPECT_EQ(size(0, 4, 4), std::pair(2, 1));  // 3 in progress at most: one worker stays free
  EXPECT_EQ(size(0, 4, 64), std::pair(3, 0));
  EXPECT_EQ(size(0, 16, 8), std::pair(4, 8));
  EXPECT_EQ(size(1, 4, 64), std::pair(1, 2));  // --hash-threads
  EXPECT_EQ(size(0, 1, 8), std::pair(1, 0));   // one worker: one sign-in at a time
  const int workers = http::HttpServer::Options{}.worker_threads;
  EXPECT_EQ(size(0, 0, 2), size(0, workers, 2));  // 0: the server's default
}

TEST_F(AppTest, UnknownKeysAreThrottledPerAddressWithTheConfiguredLimit) {
  // The limit's number of unknown keys get their 401; more than that get 429 (SECURITY.md).
  for (int i = 1; i <= kKeyFailureLimit; ++i) {
    Sent s = Send(verb::get, "/api/v1/me", nullptr, "", "", GenerateKey(random_));
    EXPECT_EQ(s.status, 401u);
    EXPECT_EQ(s.res[beast_http::field::www_authenticate], BearerAuthenticator::kChallenge);
  }
  EXPECT_EQ(Send(verb::get, "/api/v1/me", nullptr, "", "", GenerateKey(random_)).status, 429u);
  clock_.Advance(BearerAuthenticator::kUnknownKeyWindow);
  EXPECT_EQ(Send(verb::get, "/api/v1/me", nullptr, "", "", GenerateKey(random_)).status, 401u);
}

TEST_F(AppTest, AKeyMadeInTheConsoleWorksOnTheCliAndVerifyRoutes) {
  auto [cookie, csrf] = SignUp("a@example.com");
  Sent made = Send(verb::post, "/api/keys", {{"name", "laptop"}}, cookie, csrf);
  ASSERT_EQ(made.status, 201u);
  const std::string secret = made.body["secret"];
  Sent me = Send(verb::get, "/api/v1/me", nullptr, "", "", secret);
  EXPECT_EQ(me.status, 200u);
  EXPECT_EQ(me.body["account"]["email"], "a@example.com");
  EXPECT_EQ(me.body["key"]["name"], "laptop");
  Sent verified = Send(verb::post, "/api/v1/keys/verify", {{"key", secret}});
  EXPECT_EQ(verified.body["valid"], true);
  // Keys never manage keys.
  Sent refused = Send(verb::get, "/api/keys", nullptr, "", "", secret);
  EXPECT_EQ(refused.status, 403u);
  EXPECT_EQ(Code(refused), "session_required");
}

TEST_F(AppTest, CachedKeysAreVerifiedOnTheIoThreadWithTheSameAnswer) {
  auto [cookie, csrf] = SignUp("a@example.com");
  const std::string secret =
      Send(verb::post, "/api/keys", {{"name", "svc"}}, cookie, csrf).body["secret"];
  auto verify = [&](const std::string& key) {
    http::Request req;
    req.msg = http::HttpRequest(verb::post, "/api/v1/keys/verify", 11);
    req.remote_ip = remote_ip_;
    req.request_id = "test";
    req.msg.set(beast_http::field::content_type, "application/json");
    req.msg.body() = json{{"key", key}}.dump();
    req.msg.prepare_payload();
    return req;
  };
  http::Request first = verify(secret);
  EXPECT_FALSE(app_->api.TryHandleInline(first).has_value()) << "not cached yet: the store";
  http::Request on_worker = verify(secret);
  const http::HttpResponse answered = app_->api.Handle(on_worker);
  ASSERT_EQ(answered.result_int(), 200u);
  http::Request again = verify(secret);
  const std::optional<http::HttpResponse> inline_answer = app_->api.TryHandleInline(again);
  ASSERT_TRUE(inline_answer.has_value()) << "a cached key is answered from memory";
  EXPECT_EQ(inline_answer->body(), answered.body());
  // A malformed key needs no store either; an unknown one does.
  http::Request malformed = verify("tfzo_nope");
  ASSERT_TRUE(app_->api.TryHandleInline(malformed).has_value());
  http::Request unknown = verify(GenerateKey(random_));
  EXPECT_FALSE(app_->api.TryHandleInline(unknown).has_value());
}

TEST_F(AppTest, TheKeyCheckIsAnsweredOnTheIoThreadOnceTheKeyIsCached) {
  auto [cookie, csrf] = SignUp("a@example.com");
  const std::string secret =
      Send(verb::post, "/api/keys", {{"name", "proxy"}}, cookie, csrf).body["secret"];
  auto check = [&](const std::string& target) {
    http::Request req;
    req.msg = http::HttpRequest(verb::get, target, 11);
    req.msg.set(beast_http::field::authorization, "Bearer " + secret);
    req.remote_ip = remote_ip_;
    req.request_id = "test";
    return req;
  };
  http::Request first = check("/api/v1/keys/check");
  EXPECT_FALSE(app_->api.TryHandleInline(first).has_value()) << "not cached yet: the store";
  http::Request on_worker = check("/api/v1/keys/check");
  const http::HttpResponse answered = app_->api.Handle(on_worker);
  ASSERT_EQ(answered.result_int(), 204u);
  for (const char* target : {"/api/v1/keys/check", "/api/v1/keys/check/app/path?org=x"}) {
    SCOPED_TRACE(target);
    http::Request again = check(target);
    const std::optional<http::HttpResponse> inline_answer = app_->api.TryHandleInline(again);
    ASSERT_TRUE(inline_answer.has_value()) << "a cached key is answered from memory";
    EXPECT_EQ((*inline_answer)["X-2501-Key"], answered["X-2501-Key"]);
    EXPECT_EQ((*inline_answer)["X-2501-Account"], answered["X-2501-Account"]);
  }
  http::Request refused = check("/api/v1/keys/check?permission=nope");
  const std::optional<http::HttpResponse> bad = app_->api.TryHandleInline(refused);
  ASSERT_TRUE(bad.has_value());
  EXPECT_EQ(bad->result_int(), 400u);
  EXPECT_EQ((*bad)["X-2501-Error"], "invalid_request");
}

}  // namespace
}  // namespace tfzo
