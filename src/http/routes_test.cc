#include "http/routes.h"

#include <gtest/gtest.h>

#include "auth/bearer_authenticator.h"

namespace tfzo::http {
namespace {

using beast_http::field;
using beast_http::verb;

// Records the Credentials it is given; accepts or refuses as told.
class RecordingAuthenticator final : public Authenticator {
 public:
  Result<Principal> Authenticate(const Credentials& credentials, Notes& notes) override {
    authorization = credentials.authorization
                        ? std::optional<std::string>(std::string(*credentials.authorization))
                        : std::nullopt;
    token = std::string(credentials.session_token);
    csrf = credentials.csrf_token ? std::optional<std::string>(std::string(*credentials.csrf_token))
                                  : std::nullopt;
    state_changing = credentials.state_changing;
    ip = std::string(credentials.remote_ip);
    notes.key_check = "key_invalid";
    if (!refusal.ok()) return refusal;
    Principal p;
    p.account.emplace();
    p.account->id = "acc_1";
    p.csrf_token = "csrf";
    p.key.emplace();
    p.key->key_id = "key_1";
    p.key->account_id = "acc_1";
    return p;
  }

  Status refusal = Status::Ok();
  std::optional<std::string> authorization, csrf;
  std::string token, ip;
  bool state_changing = false;
};

class RoutesTest : public ::testing::Test {
 protected:
  HttpResponse Send(verb method, const std::string& target,
                    std::initializer_list<std::pair<std::string, std::string>> headers) {
    Request req;
    req.msg = HttpRequest(method, target, 11);
    req.remote_ip = "192.0.2.9";
    for (const auto& [name, value] : headers) req.msg.insert(name, value);
    req.path = req.msg.target();
    last_ = std::move(req);
    Router::Match match = router_.Find(method, last_.path, last_.params);
    EXPECT_NE(match.handler, nullptr);
    return (*match.handler)(last_);
  }

  void AddRoutes(bool secure) {
    Routes routes(router_, sessions_, keys_, secure);
    routes.Console(verb::post, "/api/things",
                   [this](Request&, const Session& session) -> Result<HttpResponse> {
                     seen_token_ = std::string(session.token);
                     seen_caller_ = session.caller;
                     return HttpResponse{beast_http::status::no_content, 11};
                   });
    routes.Console(verb::get, "/api/things", [](Request&, const Session&) -> Result<HttpResponse> {
      return HttpResponse{beast_http::status::no_content, 11};
    });
    routes.Cli(verb::get, "/api/v1/me", std::nullopt,
               [](Request&, const KeyState&) -> Result<HttpResponse> {
                 return HttpResponse{beast_http::status::no_content, 11};
               });
  }

  Router router_;
  RecordingAuthenticator sessions_, keys_;
  Request last_;
  std::string seen_token_;
  Caller seen_caller_;
};

TEST_F(RoutesTest, ConsoleCredentialsComeFromTheSessionCookieAndTheCsrfHeader) {
  AddRoutes(/*secure=*/false);
  Send(verb::post, "/api/things",
       {{"Cookie", "theme=dark; tfzo_session=tok1;x=y"}, {"X-CSRF-Token", "c1"}});
  EXPECT_EQ(sessions_.token, "tok1");
  EXPECT_EQ(sessions_.csrf, "c1");
  EXPECT_TRUE(sessions_.state_changing);
  EXPECT_EQ(sessions_.ip, "192.0.2.9");
  EXPECT_FALSE(sessions_.authorization.has_value());
  EXPECT_EQ(seen_token_, "tok1");
  EXPECT_EQ(seen_caller_.account_id, "acc_1");
  EXPECT_EQ(seen_caller_.ip, "192.0.2.9");

  Send(verb::get, "/api/things",
       {{"Cookie", "a=1"}, {"Cookie", "xtfzo_session=no; tfzo_session=tok2"}});
  EXPECT_EQ(sessions_.token, "tok2") << "every Cookie header, whole names only";
  EXPECT_FALSE(sessions_.csrf.has_value());
  EXPECT_FALSE(sessions_.state_changing);
}

TEST_F(RoutesTest, OverTlsOnlyTheHostPrefixedCookieCounts) {
  AddRoutes(/*secure=*/true);
  Send(verb::get, "/api/things", {{"Cookie", "tfzo_session=plain"}});
  EXPECT_EQ(sessions_.token, "");
  Send(verb::get, "/api/things", {{"Cookie", "__Host-tfzo_session=tok"}});
  EXPECT_EQ(sessions_.token, "tok");
}

TEST_F(RoutesTest, ARefusalBecomesTheErrorBodyAndBearerPathsChallenge) {
  AddRoutes(/*secure=*/false);
  sessions_.refusal = Status(StatusCode::kCsrfFailed, "no");
  HttpResponse console = Send(verb::post, "/api/things", {{"Authorization", "Bearer x"}});
  EXPECT_EQ(console.result_int(), 403u);
  EXPECT_EQ(sessions_.authorization, "Bearer x");
  EXPECT_NE(console.body().find("csrf_failed"), std::string::npos);

  keys_.refusal = Status(StatusCode::kKeyInvalid, "no");
  HttpResponse cli = Send(verb::get, "/api/v1/me", {{"Authorization", "Bearer y"}});
  EXPECT_EQ(cli.result_int(), 401u);
  EXPECT_EQ(cli[field::www_authenticate], BearerAuthenticator::kChallenge);
  EXPECT_EQ(keys_.authorization, "Bearer y");
  EXPECT_EQ(last_.key_check, "key_invalid") << "the authenticator's notes reach the metrics";
}

TEST_F(RoutesTest, AKeyCheckHandlerAnswersTheRefusalItself) {
  Routes routes(router_, sessions_, keys_, /*secure=*/false);
  std::optional<StatusCode> seen;
  routes.KeyCheck(verb::get, "/api/v1/keys/check",
                  [&seen](Request&, const Result<Principal>& principal) {
                    seen = principal.status().code();
                    return HttpResponse{beast_http::status::no_content, 11};
                  });
  keys_.refusal = Status(StatusCode::kKeyRevoked, "no");
  HttpResponse res = Send(verb::get, "/api/v1/keys/check", {{"Authorization", "Bearer z"}});
  EXPECT_EQ(res.result_int(), 204u) << "the handler's answer, not the error body";
  EXPECT_EQ(seen, StatusCode::kKeyRevoked);
  EXPECT_EQ(keys_.authorization, "Bearer z");
  EXPECT_EQ(last_.key_check, "key_invalid") << "the authenticator's notes reach the metrics";
  std::unordered_map<std::string, std::string> params;
  EXPECT_TRUE(router_.Find(verb::get, "/api/v1/keys/check", params).may_run_inline);
}

}  // namespace
}  // namespace tfzo::http
