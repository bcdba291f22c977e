#include "http/same_origin.h"

#include <gtest/gtest.h>

namespace tfzo::http {
namespace {

using beast_http::field;

HttpRequest Login(std::string_view host) {
  HttpRequest msg{beast_http::verb::post, "/api/login", 11};
  if (!host.empty()) msg.set(field::host, host);
  return msg;
}

HttpRequest WithOrigin(std::string_view host, std::string_view origin) {
  HttpRequest msg = Login(host);
  msg.set(field::origin, origin);
  return msg;
}

HttpRequest WithSite(std::string_view site) {
  HttpRequest msg = Login("accounts.example.com");
  msg.set("Sec-Fetch-Site", site);
  return msg;
}

TEST(SameOriginTest, NoBrowserHeadersPass) {
  EXPECT_TRUE(SameOrigin().Check(Login("accounts.example.com")).ok());
  EXPECT_TRUE(SameOrigin().Check(Login("")).ok());
  EXPECT_TRUE(SameOrigin("https://accounts.example.com").Check(Login("other")).ok());
}

TEST(SameOriginTest, SecFetchSiteMustBeSameOriginOrNone) {
  EXPECT_TRUE(SameOrigin().Check(WithSite("same-origin")).ok());
  EXPECT_TRUE(SameOrigin().Check(WithSite("none")).ok());
  for (std::string_view site : {"cross-site", "same-site", "", "whatever"}) {
    const Status s = SameOrigin().Check(WithSite(site));
    EXPECT_EQ(s.code(), StatusCode::kCrossSiteRequest) << site;
  }
  HttpRequest twice = WithSite("same-origin");
  twice.insert("Sec-Fetch-Site", "cross-site");
  EXPECT_EQ(SameOrigin().Check(twice).code(), StatusCode::kCrossSiteRequest);
}

TEST(SameOriginTest, OriginMustBeTheHostsWithoutAConfiguredOrigin) {
  const SameOrigin same;
  for (auto [host, origin] : std::initializer_list<std::pair<std::string_view, std::string_view>>{
           {"accounts.example.com", "https://accounts.example.com"},
           {"accounts.example.com", "http://accounts.example.com"},
           {"Accounts.Example.com", "https://accounts.example.com"},
           {"127.0.0.1:8080", "http://127.0.0.1:8080"},
           {"accounts.example.com:443", "https://accounts.example.com"},
           {"accounts.example.com", "https://accounts.example.com:443"},
           {"[::1]:8080", "http://[::1]:8080"},
       }) {
    EXPECT_TRUE(same.Check(WithOrigin(host, origin)).ok()) << host << " " << origin;
  }
  for (auto [host, origin] : std::initializer_list<std::pair<std::string_view, std::string_view>>{
           {"accounts.example.com", "https://evil.example"},
           {"accounts.example.com", "https://accounts.example.com.evil.example"},
           {"accounts.example.com", "https://evil.accounts.example.com"},
           {"accounts.example.com", "null"},
           {"accounts.example.com", ""},
           {"accounts.example.com", "accounts.example.com"},
           {"accounts.example.com", "https://accounts.example.com/login"},
           {"accounts.example.com", "https://attacker@accounts.example.com"},
           {"accounts.example.com", "ftp://accounts.example.com"},
           {"127.0.0.1:8080", "http://127.0.0.1:8081"},
           {"127.0.0.1:8080", "http://127.0.0.1"},
           {"", "http://127.0.0.1:8080"},
       }) {
    EXPECT_EQ(same.Check(WithOrigin(host, origin)).code(), StatusCode::kCrossSiteRequest)
        << host << " " << origin;
  }
}

TEST(SameOriginTest, AConfiguredOriginIsTheOnlyOneAccepted) {
  const SameOrigin same("https://Accounts.Example.com/");
  EXPECT_TRUE(same.Check(WithOrigin("internal:8080", "https://accounts.example.com")).ok());
  EXPECT_TRUE(same.Check(WithOrigin("internal:8080", "https://accounts.example.com:443")).ok());
  // The Host no longer decides, and the scheme must be the configured one.
  EXPECT_EQ(same.Check(WithOrigin("internal:8080", "http://internal:8080")).code(),
            StatusCode::kCrossSiteRequest);
  EXPECT_EQ(same.Check(WithOrigin("accounts.example.com", "http://accounts.example.com")).code(),
            StatusCode::kCrossSiteRequest);
}

}  // namespace
}  // namespace tfzo::http
