#include "auth/password_hasher.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

namespace tfzo {
namespace {

TEST(PasswordHasherTest, VerifiesOnlyTheRightPassword) {
  PasswordHasher hasher;
  auto hash = hasher.Hash(Secret("correct horse battery"));
  ASSERT_TRUE(hash.ok());
  EXPECT_TRUE(hash->starts_with("$argon2id$"));
  EXPECT_NE(hash->find("m=19456"), std::string::npos);  // 19 MiB
  EXPECT_NE(hash->find("t=2"), std::string::npos);
  EXPECT_TRUE(*hasher.Verify(*hash, Secret("correct horse battery")));
  EXPECT_FALSE(*hasher.Verify(*hash, Secret("correct horse batterY")));
}

TEST(PasswordHasherTest, SaltsEachHash) {
  PasswordHasher hasher;
  EXPECT_NE(*hasher.Hash(Secret("same password")), *hasher.Hash(Secret("same password")));
}

TEST(PasswordHasherTest, RunsOnThePoolWhenGivenOne) {
  BoundedPool pool(1, 0);
  PasswordHasher hasher(PasswordHasher::kCheapParams, &pool);
  auto hash = hasher.Hash(Secret("correct horse battery"));
  ASSERT_TRUE(hash.ok());
  EXPECT_TRUE(*hasher.Verify(*hash, Secret("correct horse battery")));
  EXPECT_FALSE(*hasher.Verify(*hash, Secret("wrong horse battery")));
  EXPECT_TRUE(hasher.VerifyNothing(Secret("anything at all")).ok());
}

TEST(PasswordHasherTest, AFullPoolAnswersUnavailableWithoutHashing) {
  BoundedPool pool(1, 0);
  PasswordHasher hasher(PasswordHasher::kCheapParams, &pool);
  auto hash = hasher.Hash(Secret("correct horse battery"));
  ASSERT_TRUE(hash.ok());
  std::atomic<bool> release{false};
  std::thread holder([&] {
    ASSERT_TRUE(pool.Run([&] {
                      while (!release) std::this_thread::yield();
                    })
                    .ok());
  });
  while (pool.in_flight() < 1) std::this_thread::yield();
  EXPECT_EQ(hasher.Hash(Secret("another password")).status().code(), StatusCode::kUnavailable);
  auto verified = hasher.Verify(*hash, Secret("correct horse battery"));
  EXPECT_EQ(verified.status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(verified.status().retry_after(), 1);
  EXPECT_EQ(hasher.VerifyNothing(Secret("x")).code(), StatusCode::kUnavailable);
  release = true;
  holder.join();
  EXPECT_TRUE(*hasher.Verify(*hash, Secret("correct horse battery")));
}

}  // namespace
}  // namespace tfzo
