#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "core/digest.h"
#include "store/store_test.h"
#include "store/store_test_util.h"

// Device authorization's part of the Store contract (store.h): requests kept by their codes'
// digests, one decision each, polls that slow down, and a sealed value that a second poll never
// sees; on every engine.

namespace tfzo {
namespace {

using namespace ::tfzo::testing;  // NOLINT: test records
using std::chrono::seconds;

DeviceCodeRecord Request(std::string_view code, Time created_at = kT0) {
  return DeviceCodeRecord{.device_digest = Sha256(std::string("device-") + std::string(code)),
                          .user_digest = Sha256(code),
                          .client_name = "2501 CLI",
                          .hostname = "build-7",
                          .ip = "192.0.2.7",
                          .created_at = created_at,
                          .expires_at = created_at + seconds(900),
                          .interval_seconds = 5,
                          .public_key = "pk",
                          .sealed_private_key = "sk"};
}

DeviceCodeRecord Approved(std::string key_id, Time at) {
  DeviceCodeRecord d = Request("unused");
  d.status = DeviceCodeRecord::kApproved;
  d.account_id = "acc_a";
  d.key_id = std::move(key_id);
  d.sealed_secret = "sealed";
  d.decided_at = at;
  return d;
}

using DeviceStoreTest = StoreTest;

TEST_P(DeviceStoreTest, FindsByUserCodeAndRefusesADuplicate) {
  ASSERT_TRUE(store_->CreateDeviceCode(Request("BCDF-GHJK")).ok());
  auto found = store_->FindDeviceCode(Sha256("BCDF-GHJK"));
  ASSERT_TRUE(found.ok()) << found.status().message();
  EXPECT_EQ(found->hostname, "build-7");
  EXPECT_EQ(found->ip, "192.0.2.7");
  EXPECT_EQ(found->status, DeviceCodeRecord::kPending);
  EXPECT_EQ(found->expires_at, At(900));
  EXPECT_EQ(found->public_key, "pk");
  EXPECT_FALSE(found->sealed_secret.has_value());
  EXPECT_EQ(store_->FindDeviceCode(Sha256("BCDF-GHJL")).status().code(), StatusCode::kNotFound);

  DeviceCodeRecord again = Request("BCDF-GHJK");
  again.device_digest = Sha256("another device");
  EXPECT_EQ(store_->CreateDeviceCode(again).code(), StatusCode::kConflict);
}

TEST_P(DeviceStoreTest, PollsSlowDownWhilePending) {
  const DeviceCodeRecord r = Request("BCDF-GHJK");
  ASSERT_TRUE(store_->CreateDeviceCode(r).ok());
  auto first = store_->PollDeviceCode(r.device_digest, At(1), seconds(5));
  ASSERT_TRUE(first.ok());
  EXPECT_FALSE(first->too_soon);
  auto soon = store_->PollDeviceCode(r.device_digest, At(3), seconds(5));
  ASSERT_TRUE(soon.ok());
  EXPECT_TRUE(soon->too_soon);
  // The interval is now 10 s from the poll at 3.
  EXPECT_TRUE(store_->PollDeviceCode(r.device_digest, At(12), seconds(5))->too_soon);
  EXPECT_FALSE(store_->PollDeviceCode(r.device_digest, At(40), seconds(5))->too_soon);
  EXPECT_EQ(store_->PollDeviceCode(Sha256("unknown"), At(40), seconds(5)).status().code(),
            StatusCode::kNotFound);
}

TEST_P(DeviceStoreTest, OneDecisionAndTheSealedValueOnce) {
  const DeviceCodeRecord r = Request("BCDF-GHJK");
  ASSERT_TRUE(store_->CreateDeviceCode(r).ok());
  ASSERT_TRUE(store_->DecideDeviceCode(r.user_digest, Approved("key_1", At(10))).ok());
  DeviceCodeRecord deny = Approved("key_2", At(11));
  deny.status = DeviceCodeRecord::kDenied;
  deny.key_id.reset();
  deny.sealed_secret.reset();
  EXPECT_EQ(store_->DecideDeviceCode(r.user_digest, deny).code(), StatusCode::kNotFound);

  auto taken = store_->PollDeviceCode(r.device_digest, At(12), seconds(5));
  ASSERT_TRUE(taken.ok());
  EXPECT_EQ(taken->code.status, DeviceCodeRecord::kApproved);
  EXPECT_EQ(taken->code.key_id, "key_1");
  EXPECT_EQ(taken->code.sealed_secret, "sealed");
  auto again = store_->PollDeviceCode(r.device_digest, At(20), seconds(5));
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->code.status, DeviceCodeRecord::kUsed);
  EXPECT_FALSE(again->code.sealed_secret.has_value());
  EXPECT_EQ(store_->FindDeviceCode(r.user_digest)->status, DeviceCodeRecord::kUsed);
}

TEST_P(DeviceStoreTest, NoDecisionOnceExpiredAndExpiredRowsGo) {
  const DeviceCodeRecord r = Request("BCDF-GHJK");
  ASSERT_TRUE(store_->CreateDeviceCode(r).ok());
  EXPECT_EQ(store_->DecideDeviceCode(r.user_digest, Approved("key_1", At(900))).code(),
            StatusCode::kNotFound);
  // A later request deletes those that expired before it.
  ASSERT_TRUE(store_->CreateDeviceCode(Request("CDFG-HJKL", At(901))).ok());
  EXPECT_EQ(store_->FindDeviceCode(r.user_digest).status().code(), StatusCode::kNotFound);
  EXPECT_TRUE(store_->FindDeviceCode(Sha256("CDFG-HJKL")).ok());
}

TFZO_INSTANTIATE_ON_EVERY_ENGINE(DeviceStoreTest);

}  // namespace
}  // namespace tfzo
