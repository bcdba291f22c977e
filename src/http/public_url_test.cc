#include "http/public_url.h"

#include <gtest/gtest.h>

namespace tfzo::http {
namespace {

TEST(PublicUrlTest, HttpsOriginAndBase) {
  auto url = PublicUrl::Parse("https://Accounts.Example.com/");
  ASSERT_TRUE(url.ok()) << url.status().message();
  EXPECT_TRUE(url->https);
  EXPECT_EQ(url->origin, "https://accounts.example.com");
  EXPECT_EQ(url->base, "https://accounts.example.com");
}

TEST(PublicUrlTest, KeepsAPortOtherThanTheSchemesDefaultAndThePath) {
  auto url = PublicUrl::Parse("https://keys.example.com:8443/accounts/");
  ASSERT_TRUE(url.ok());
  EXPECT_EQ(url->origin, "https://keys.example.com:8443");
  EXPECT_EQ(url->base, "https://keys.example.com:8443/accounts");
  EXPECT_EQ(PublicUrl::Parse("https://a.example:443")->origin, "https://a.example");
  EXPECT_EQ(PublicUrl::Parse("http://127.0.0.1:80")->origin, "http://127.0.0.1");
}

TEST(PublicUrlTest, PlainHttpIsNotHttps) {
  auto url = PublicUrl::Parse("http://127.0.0.1:8080");
  ASSERT_TRUE(url.ok());
  EXPECT_FALSE(url->https);
  EXPECT_EQ(url->origin, "http://127.0.0.1:8080");
}

TEST(PublicUrlTest, RefusesWhatIsNotAConsoleAddress) {
  for (const char* bad :
       {"", "accounts.example.com", "ftp://a.example", "https://", "https://user:pw@a.example",
        "https://a.example/?x=1", "https://a.example/#top", "javascript:alert(1)"}) {
    auto url = PublicUrl::Parse(bad);
    ASSERT_FALSE(url.ok()) << bad;
    EXPECT_EQ(url.status().code(), StatusCode::kInvalidRequest) << bad;
    EXPECT_TRUE(url.status().message().starts_with("--public-url: ")) << bad;
  }
}

}  // namespace
}  // namespace tfzo::http
