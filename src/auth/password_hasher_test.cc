#include "auth/password_hasher.h"

#include <gtest/gtest.h>

namespace tfzo {
namespace {

TEST(PasswordHasherTest, VerifiesOnlyTheRightPassword) {
  PasswordHasher hasher;
  auto hash = hasher.Hash(Secret("correct horse battery"));
  ASSERT_TRUE(hash.ok());
  EXPECT_TRUE(hash->starts_with("$argon2id$"));
  EXPECT_NE(hash->find("m=19456"), std::string::npos);  // 19 MiB
  EXPECT_NE(hash->find("t=2"), std::string::npos);
  EXPECT_TRUE(hasher.Verify(*hash, Secret("correct horse battery")));
  EXPECT_FALSE(hasher.Verify(*hash, Secret("correct horse batterY")));
}

TEST(PasswordHasherTest, SaltsEachHash) {
  PasswordHasher hasher;
  EXPECT_NE(*hasher.Hash(Secret("same password")), *hasher.Hash(Secret("same password")));
}

}  // namespace
}  // namespace tfzo
