#include "auth/bearer_authenticator.h"

#include <gtest/gtest.h>

#include "core/api_key.h"
#include "core/random.h"
#include "testing/key_world.h"

namespace tfzo {
namespace {

constexpr int kLimit = 3;  // unknown keys per address in the tests' limiter

class BearerAuthenticatorTest : public testing::KeyWorld {
 protected:
  BearerAuthenticatorTest()
      : unknown_keys_(clock_, kLimit, BearerAuthenticator::kUnknownKeyWindow),
        bearer_(verifier_, &unknown_keys_) {}

  // Authenticates "Authorization: <authorization>" from `ip`; the key check lands in `check_`.
  Result<Principal> Send(std::optional<std::string> authorization,
                         std::string_view ip = "192.0.2.1") {
    Credentials credentials;
    if (authorization) credentials.authorization = *authorization;
    credentials.remote_ip = ip;
    return NoteKeyCheck(
        [&](Authenticator::Notes& notes) { return bearer_.Authenticate(credentials, notes); });
  }

  FailureLimiter unknown_keys_;
  BearerAuthenticator bearer_;
};

TEST_F(BearerAuthenticatorTest, AValidKeyNamesItsKeyAndAccount) {
  const std::string secret = AddKey("key_1");
  auto principal = Send("Bearer " + secret);
  ASSERT_TRUE(principal.ok()) << principal.status().message();
  ASSERT_TRUE(principal->key.has_value());
  EXPECT_EQ(principal->key->key_id, "key_1");
  EXPECT_EQ(principal->account_id(), "acc_1");
  EXPECT_EQ(check_, "valid");
  // The scheme's name is case-insensitive (RFC 9110).
  EXPECT_TRUE(Send("bearer " + secret).ok());
  EXPECT_TRUE(Send("BEARER " + secret).ok());
}

TEST_F(BearerAuthenticatorTest, WithoutABearerKeyTheRequestIsUnauthenticated) {
  const std::string secret = AddKey("key_1");
  for (const std::optional<std::string>& value :
       {std::optional<std::string>(), std::optional<std::string>(""),
        std::optional<std::string>("Basic " + secret), std::optional<std::string>("Bearer"),
        std::optional<std::string>("Bearer" + secret)}) {
    auto result = Send(value);
    EXPECT_EQ(result.status().code(), StatusCode::kUnauthenticated) << value.value_or("(none)");
    EXPECT_EQ(check_, "") << "no key was checked";
  }
}

TEST_F(BearerAuthenticatorTest, KeyErrorsComeFromTheVerifierInTheSpecsOrder) {
  EXPECT_EQ(Send("Bearer tfzo_short").status().code(), StatusCode::kKeyMalformed);
  EXPECT_EQ(check_, "key_malformed");
  EXPECT_EQ(Send("Bearer " + GenerateKey(random_)).status().code(), StatusCode::kKeyInvalid);
  EXPECT_EQ(check_, "key_invalid");
  const std::string expiring = AddKey("key_2", clock_.Now() + std::chrono::seconds(10));
  clock_.Advance(std::chrono::seconds(10));
  EXPECT_EQ(Send("Bearer " + expiring).status().code(), StatusCode::kKeyExpired);
  EXPECT_EQ(check_, "key_expired");
}

TEST_F(BearerAuthenticatorTest, UnknownKeysFromOneAddressAreThrottled) {
  // The limit's number of unknown keys get their own answer (SECURITY.md: "more than N").
  for (int i = 1; i <= kLimit; ++i) {
    EXPECT_EQ(Send("Bearer " + GenerateKey(random_)).status().code(), StatusCode::kKeyInvalid);
  }
  // One more than the limit: the address is told to wait, not whether the key exists.
  auto refused = Send("Bearer tfzo_malformed");
  EXPECT_EQ(refused.status().code(), StatusCode::kRateLimited);
  EXPECT_EQ(refused.status().retry_after(), 60);
  EXPECT_EQ(check_, "key_malformed") << "the metrics still see the key's own result";
  EXPECT_EQ(Send("Bearer " + GenerateKey(random_)).status().code(), StatusCode::kRateLimited);

  // Another address is not affected.
  EXPECT_EQ(Send("Bearer " + GenerateKey(random_), "192.0.2.2").status().code(),
            StatusCode::kKeyInvalid);
  // A valid key from the throttled address still works: only guesses are refused.
  EXPECT_TRUE(Send("Bearer " + AddKey("key_1")).ok());

  // The block ends one window after the failures that caused it.
  clock_.Advance(BearerAuthenticator::kUnknownKeyWindow);
  EXPECT_EQ(Send("Bearer " + GenerateKey(random_)).status().code(), StatusCode::kKeyInvalid);
}

TEST_F(BearerAuthenticatorTest, KnownButUnusableKeysDoNotCountAsGuesses) {
  const std::string expired = AddKey("key_2", clock_.Now() + std::chrono::seconds(1));
  clock_.Advance(std::chrono::seconds(1));
  for (int i = 0; i < 2 * kLimit; ++i) {
    EXPECT_EQ(Send("Bearer " + expired).status().code(), StatusCode::kKeyExpired);
  }
  EXPECT_EQ(Send("Bearer " + GenerateKey(random_)).status().code(), StatusCode::kKeyInvalid);
}

TEST_F(BearerAuthenticatorTest, WithoutALimiterNothingIsThrottled) {
  BearerAuthenticator unlimited(verifier_, nullptr);
  Credentials credentials;
  credentials.remote_ip = "192.0.2.1";
  Authenticator::Notes notes;
  for (int i = 0; i < 2 * kLimit; ++i) {
    const std::string header = "Bearer " + GenerateKey(random_);
    credentials.authorization = header;
    EXPECT_EQ(unlimited.Authenticate(credentials, notes).status().code(), StatusCode::kKeyInvalid);
  }
}

}  // namespace
}  // namespace tfzo
