#include "service/session_authenticator.h"

#include <gtest/gtest.h>

#include "testing/service_world.h"

namespace tfzo {
namespace {

using std::chrono::seconds;

class SessionAuthenticatorTest : public testing::ServiceWorld {
 protected:
  SessionAuthenticatorTest() : sessions_(accounts_) {}

  Result<AccountService::SessionGrant> Login(const std::string& email,
                                             const std::string& password) {
    return accounts_.Login(email, Secret(password), "127.0.0.1");
  }

  // A console request with the session cookie `token`; state-changing with `csrf` (if any).
  Result<Principal> Send(std::string_view token, bool state_changing,
                         std::optional<std::string_view> csrf = std::nullopt,
                         std::optional<std::string_view> authorization = std::nullopt) {
    Credentials credentials;
    credentials.session_token = token;
    credentials.state_changing = state_changing;
    credentials.csrf_token = csrf;
    credentials.authorization = authorization;
    credentials.remote_ip = "127.0.0.1";
    Authenticator::Notes notes;
    return sessions_.Authenticate(credentials, notes);
  }

  SessionAuthenticator sessions_;
};

TEST_F(SessionAuthenticatorTest, ALiveSessionNamesItsAccountAndCsrfToken) {
  const auto grant = SignUp("a@example.com");
  auto principal = Send(grant.token.reveal(), /*state_changing=*/false);
  ASSERT_TRUE(principal.ok()) << principal.status().message();
  ASSERT_TRUE(principal->account.has_value());
  EXPECT_EQ(principal->account->email, "a@example.com");
  EXPECT_EQ(principal->account_id(), grant.account.id);
  EXPECT_EQ(principal->csrf_token, grant.csrf_token);
  EXPECT_FALSE(principal->key.has_value());
}

TEST_F(SessionAuthenticatorTest, WithoutALiveSessionTheRequestIsUnauthenticated) {
  const auto grant = SignUp("a@example.com");
  EXPECT_EQ(Send("", false).status().code(), StatusCode::kUnauthenticated);
  EXPECT_EQ(Send("not-a-session", false).status().code(), StatusCode::kUnauthenticated);
  std::string other = grant.token.reveal();
  other.back() = other.back() == 'a' ? 'b' : 'a';
  EXPECT_EQ(Send(other, false).status().code(), StatusCode::kUnauthenticated);
  ASSERT_TRUE(accounts_.Logout(grant.token.reveal()).ok());
  EXPECT_EQ(Send(grant.token.reveal(), false).status().code(), StatusCode::kUnauthenticated);
}

TEST_F(SessionAuthenticatorTest, StateChangesNeedTheSessionsOwnCsrfToken) {
  const auto a = SignUp("a@example.com");
  const auto b = SignUp("b@example.com");
  const std::string token = a.token.reveal();
  const std::string& csrf = a.csrf_token;
  std::string wrong = csrf;  // same length, last character changed
  wrong.back() = wrong.back() == 'a' ? 'b' : 'a';

  EXPECT_EQ(Send(token, true).status().code(), StatusCode::kCsrfFailed);
  EXPECT_EQ(Send(token, true, "").status().code(), StatusCode::kCsrfFailed);
  EXPECT_EQ(Send(token, true, wrong).status().code(), StatusCode::kCsrfFailed);
  EXPECT_EQ(Send(token, true, csrf.substr(0, csrf.size() - 1)).status().code(),
            StatusCode::kCsrfFailed);
  EXPECT_EQ(Send(token, true, csrf + "x").status().code(), StatusCode::kCsrfFailed);
  EXPECT_EQ(Send(token, true, b.csrf_token).status().code(), StatusCode::kCsrfFailed);
  EXPECT_TRUE(Send(token, true, csrf).ok());
  // Reads need no token; a session's own check comes first.
  EXPECT_TRUE(Send(token, false).ok());
  EXPECT_TRUE(Send(token, false, wrong).ok());
  EXPECT_EQ(Send("unknown", true, csrf).status().code(), StatusCode::kUnauthenticated);
}

TEST_F(SessionAuthenticatorTest, AnAuthorizationHeaderIsRefusedEvenWithASession) {
  const auto grant = SignUp("a@example.com");
  EXPECT_EQ(Send(grant.token.reveal(), false, std::nullopt, "Bearer tfzo_x").status().code(),
            StatusCode::kSessionRequired);
  EXPECT_EQ(Send(grant.token.reveal(), true, grant.csrf_token, "").status().code(),
            StatusCode::kSessionRequired);
}

TEST_F(SessionAuthenticatorTest, SessionsEndAfterTheIdleTimeoutAndUseKeepsThemAlive) {
  const auto grant = SignUp("a@example.com");
  const std::string token = grant.token.reveal();
  const auto almost = AccountService::kSessionIdleTimeout - seconds(1);
  clock_.Advance(almost);
  EXPECT_TRUE(Send(token, false).ok());  // a use moves the idle clock
  clock_.Advance(almost);
  EXPECT_TRUE(Send(token, false).ok());
  clock_.Advance(AccountService::kSessionIdleTimeout);
  EXPECT_EQ(Send(token, false).status().code(), StatusCode::kUnauthenticated);
  clock_.Advance(-AccountService::kSessionIdleTimeout);
  EXPECT_EQ(Send(token, false).status().code(), StatusCode::kUnauthenticated)
      << "an idle session is gone, not just asleep";
}

TEST_F(SessionAuthenticatorTest, TheLoginThrottleRefusesLoginsNotSessions) {
  const auto before = SignUp("a@example.com");
  SignUp("b@example.com");
  for (int i = 0; i < AccountService::kLoginFailureLimit; ++i) {
    EXPECT_EQ(Login("a@example.com", "wrong-password").status().code(),
              StatusCode::kInvalidCredentials);
  }
  // Throttled: even the right password gets 429 until the window passes.
  auto refused = Login("A@example.com", "password123");
  EXPECT_EQ(refused.status().code(), StatusCode::kRateLimited);
  EXPECT_GT(refused.status().retry_after(), 0);
  EXPECT_LE(refused.status().retry_after(),
            std::chrono::duration_cast<seconds>(AccountService::kLoginFailureWindow).count());
  // Sessions already open, and other emails, are not affected.
  EXPECT_TRUE(Send(before.token.reveal(), true, before.csrf_token).ok());
  EXPECT_TRUE(Login("b@example.com", "password123").ok());

  clock_.Advance(AccountService::kLoginFailureWindow);
  auto after = Login("a@example.com", "password123");
  ASSERT_TRUE(after.ok()) << after.status().message();
  EXPECT_TRUE(Send(after->token.reveal(), true, after->csrf_token).ok());
}

TEST_F(SessionAuthenticatorTest, ASuccessfulLoginForgetsEarlierFailures) {
  SignUp("a@example.com");
  for (int round = 0; round < 3; ++round) {
    for (int i = 0; i + 1 < AccountService::kLoginFailureLimit; ++i) {
      EXPECT_EQ(Login("a@example.com", "wrong-password").status().code(),
                StatusCode::kInvalidCredentials);
    }
    EXPECT_TRUE(Login("a@example.com", "password123").ok()) << "round " << round;
  }
}

}  // namespace
}  // namespace tfzo
