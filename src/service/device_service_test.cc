#include "service/device_service.h"

#include <gtest/gtest.h>

#include "core/api_key.h"
#include "core/digest.h"
#include "testing/service_world.h"

namespace tfzo {
namespace {

using std::chrono::seconds;

// DeviceService over a real store: the codes' form, the sealed value (only the device code
// opens it, once), the decisions, the slow-downs and the guess limit.
class DeviceServiceTest : public testing::ServiceWorld {
 protected:
  DeviceServiceTest()
      : codes_(clock_, DeviceService::kCodesPerAddress, DeviceService::kCodeWindow),
        guesses_(clock_, DeviceService::kGuessesPerSubject, DeviceService::kGuessWindow),
        device_(deps_, keys_, {.codes = &codes_, .guesses = &guesses_}) {
    ada_ = NewAccount("ada@example.com");
  }

  FailureLimiter codes_;
  FailureLimiter guesses_;
  DeviceService device_;
  Caller ada_;
};

TEST_F(DeviceServiceTest, UserCodesAreNormalized) {
  EXPECT_EQ(DeviceService::NormalizeUserCode("bcdf-ghjk"), "BCDF-GHJK");
  EXPECT_EQ(DeviceService::NormalizeUserCode(" BCDFGHJK "), "BCDF-GHJK");
  EXPECT_EQ(DeviceService::NormalizeUserCode("BCDF-GHJA"), std::nullopt);  // a vowel
  EXPECT_EQ(DeviceService::NormalizeUserCode("BCD-FGHJK"), std::nullopt);
  EXPECT_EQ(DeviceService::NormalizeUserCode("BCDF-GHJKL"), std::nullopt);
}

TEST_F(DeviceServiceTest, ApprovedKeyReachesThePollOnceAndIsStoredSealed) {
  auto started = device_.Start("2501 CLI", "build-7", kIp);
  ASSERT_TRUE(started.ok()) << started.status().message();
  EXPECT_TRUE(DeviceService::NormalizeUserCode(started->user_code) == started->user_code);
  EXPECT_EQ(started->verification_uri, kConsoleUrl + "/#/device");
  EXPECT_EQ(device_.Poll(started->device_code.reveal()).status().code(),
            StatusCode::kAuthorizationPending);

  auto key = device_.Approve(ada_, started->user_code, {});
  ASSERT_TRUE(key.ok()) << key.status().message();
  EXPECT_EQ(key->name, "2501 CLI on build-7");
  EXPECT_EQ(key->expires_at, clock_.Now() + std::chrono::days(90));
  // What the store holds opens nothing by itself: no key value in it.
  auto stored = store_->FindDeviceCode(Sha256(started->user_code));
  ASSERT_TRUE(stored.ok());
  ASSERT_TRUE(stored->sealed_secret.has_value());
  EXPECT_EQ(stored->sealed_secret->find("tfzo_"), std::string::npos);

  // Another device code does not open it (nor exist).
  EXPECT_EQ(device_.Poll(std::string(64, 'a')).status().code(), StatusCode::kExpiredToken);
  auto issued = device_.Poll(started->device_code.reveal());
  ASSERT_TRUE(issued.ok()) << issued.status().message();
  EXPECT_EQ(issued->key.id, key->id);
  EXPECT_TRUE(IsWellFormedKey(issued->secret.reveal()));
  EXPECT_EQ(store_->FindKeyBySecret(Sha256(issued->secret.reveal()))->key_id, key->id);
  EXPECT_EQ(device_.Poll(started->device_code.reveal()).status().code(), StatusCode::kExpiredToken);
  EXPECT_FALSE(store_->FindDeviceCode(Sha256(started->user_code))->sealed_secret.has_value());
}

TEST_F(DeviceServiceTest, PollingTooSoonSlowsDown) {
  auto started = device_.Start("", "", kIp);
  ASSERT_TRUE(started.ok());
  const std::string code = started->device_code.reveal();
  EXPECT_EQ(device_.Poll(code).status().code(), StatusCode::kAuthorizationPending);
  clock_.Advance(seconds(4));
  EXPECT_EQ(device_.Poll(code).status().code(), StatusCode::kSlowDown);
  clock_.Advance(seconds(9));  // the interval is 10 s now
  EXPECT_EQ(device_.Poll(code).status().code(), StatusCode::kSlowDown);
  clock_.Advance(seconds(15));
  EXPECT_EQ(device_.Poll(code).status().code(), StatusCode::kAuthorizationPending);
}

TEST_F(DeviceServiceTest, DeniedAndExpiredCodes) {
  auto denied = device_.Start("", "h", kIp);
  ASSERT_TRUE(denied.ok());
  ASSERT_TRUE(device_.Deny(ada_, denied->user_code).ok());
  EXPECT_EQ(device_.Poll(denied->device_code.reveal()).status().code(), StatusCode::kAccessDenied);
  EXPECT_EQ(device_.Approve(ada_, denied->user_code, {}).status().code(), StatusCode::kNotFound);

  auto late = device_.Start("", "h", kIp);
  ASSERT_TRUE(late.ok());
  clock_.Advance(DeviceService::kLifetime);
  EXPECT_EQ(device_.Find(ada_, late->user_code).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(device_.Approve(ada_, late->user_code, {}).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(device_.Poll(late->device_code.reveal()).status().code(), StatusCode::kExpiredToken);
}

TEST_F(DeviceServiceTest, WrongCodesAreLimitedPerAccount) {
  for (int i = 0; i < DeviceService::kGuessesPerSubject; ++i) {
    EXPECT_EQ(device_.Find(ada_, "BCDF-GHJK").status().code(), StatusCode::kNotFound);
  }
  auto started = device_.Start("", "", kIp);
  ASSERT_TRUE(started.ok());
  EXPECT_EQ(device_.Find(ada_, started->user_code).status().code(), StatusCode::kRateLimited);
}

TEST_F(DeviceServiceTest, HostileTextIsRefused) {
  EXPECT_EQ(device_.Start("cli", "evil\u202Ehost", kIp).status().code(),
            StatusCode::kInvalidRequest);
  EXPECT_EQ(device_.Start("a\x1b[2Jb", "", kIp).status().code(), StatusCode::kInvalidRequest);
}

}  // namespace
}  // namespace tfzo
