#include "core/thread_name.h"

#include <gtest/gtest.h>

#include <string>
#include <thread>

namespace tfzo {
namespace {

std::string NameOnAThread(const std::string& name) {
  std::string seen;
  std::thread([&] {
    NameThisThread(name);
    seen = ThisThreadName();
  }).join();
  return seen;
}

TEST(ThreadNameTest, NamesTheCallingThread) {
  EXPECT_EQ(NameOnAThread("usage-flush"), "usage-flush");
  EXPECT_EQ(NameOnAThread(""), "");
}

TEST(ThreadNameTest, CutsANameAtFifteenBytes) {
  EXPECT_EQ(NameOnAThread("unused_key_revocation"), "unused_key_revo");
  EXPECT_EQ(NameOnAThread("exactly-15-byte"), "exactly-15-byte");
}

TEST(ThreadNameTest, LeavesOtherThreadsAlone) {
  const std::string before = ThisThreadName();
  NameOnAThread("somebody-else");
  EXPECT_EQ(ThisThreadName(), before);
}

}  // namespace
}  // namespace tfzo
