#include "cli/api_client.h"

#include <gtest/gtest.h>

namespace tfzo::cli {
namespace {

TEST(EscapePathSegmentTest, EscapesAllButUnreservedCharacters) {
  EXPECT_EQ(EscapePathSegment("agt_AZaz09-._~"), "agt_AZaz09-._~");
  EXPECT_EQ(EscapePathSegment("a b/c?d#e%f"), "a%20b%2Fc%3Fd%23e%25f");
  EXPECT_EQ(EscapePathSegment("\xc3\xbc"), "%C3%BC");
  EXPECT_EQ(EscapePathSegment(""), "");
}

}  // namespace
}  // namespace tfzo::cli
