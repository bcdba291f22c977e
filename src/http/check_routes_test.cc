#include "http/check_routes.h"

#include <gtest/gtest.h>

namespace tfzo::http {
namespace {

using beast_http::field;

KeyState Key(std::optional<std::string> org) {
  KeyState key;
  key.key_id = "key_abc";
  key.account_id = "acc_123";
  key.org_id = std::move(org);
  return key;
}

TEST(KeyCheckTest, ForwardedChecksArePathsUnderTheCheck) {
  EXPECT_FALSE(IsForwardedKeyCheck("/api/v1/keys/check"));
  EXPECT_TRUE(IsForwardedKeyCheck("/api/v1/keys/check/"));
  EXPECT_TRUE(IsForwardedKeyCheck("/api/v1/keys/check/app/x"));
  EXPECT_FALSE(IsForwardedKeyCheck("/api/v1/keys/checks"));
  EXPECT_FALSE(IsForwardedKeyCheck("/api/v1/keys/verify"));
}

TEST(KeyCheckTest, AGrantedCheckNamesTheAccountKeyAndOrg) {
  HttpResponse res = KeyCheckGranted(Key("org_9"), "org_9", /*forwarded=*/false);
  EXPECT_EQ(res.result_int(), 204u);
  EXPECT_EQ(res["X-2501-Account"], "acc_123");
  EXPECT_EQ(res["X-2501-Key"], "key_abc");
  EXPECT_EQ(res["X-2501-Org"], "org_9");
  EXPECT_EQ(res.find(field::content_length), res.end()) << "a 204 has no body and no length";
  EXPECT_TRUE(res.body().empty());
  EXPECT_EQ(res.find(field::www_authenticate), res.end());
  EXPECT_EQ(res.find("X-2501-Error"), res.end());
}

TEST(KeyCheckTest, WithoutAnOrgTheOrgHeaderIsPresentAndEmpty) {
  // Present, so that a proxy copying it replaces a value the client sent.
  HttpResponse res = KeyCheckGranted(Key(std::nullopt), "", /*forwarded=*/false);
  ASSERT_NE(res.find("X-2501-Org"), res.end());
  EXPECT_EQ(res["X-2501-Org"], "");
}

TEST(KeyCheckTest, AForwardedCheckIsA200WithAnEmptyBody) {
  HttpResponse res = KeyCheckGranted(Key(std::nullopt), "", /*forwarded=*/true);
  EXPECT_EQ(res.result_int(), 200u);
  EXPECT_EQ(res[field::content_length], "0");
  EXPECT_EQ(res["X-2501-Key"], "key_abc");
}

TEST(KeyCheckTest, RefusalsCarryTheCodeAndTheChallenge) {
  struct Case {
    StatusCode code;
    unsigned status;
    std::string_view error;
    std::string_view challenge;  // "" for none
  };
  const Case cases[] = {
      {StatusCode::kUnauthenticated, 401, "unauthenticated", R"(Bearer realm="2501")"},
      {StatusCode::kKeyInvalid, 401, "key_invalid",
       R"(Bearer realm="2501", error="invalid_token")"},
      {StatusCode::kKeyRevoked, 401, "key_revoked",
       R"(Bearer realm="2501", error="invalid_token")"},
      {StatusCode::kRotationOverdue, 401, "rotation_overdue",
       R"(Bearer realm="2501", error="invalid_token")"},
      {StatusCode::kPermissionDenied, 403, "permission_denied",
       R"(Bearer realm="2501", error="insufficient_scope")"},
      {StatusCode::kOrgOutOfScope, 403, "org_out_of_scope",
       R"(Bearer realm="2501", error="insufficient_scope")"},
      {StatusCode::kForbidden, 403, "forbidden",
       R"(Bearer realm="2501", error="insufficient_scope")"},
      {StatusCode::kInvalidRequest, 400, "invalid_request", ""},
      {StatusCode::kRateLimited, 429, "rate_limited", ""},
      {StatusCode::kUnavailable, 503, "unavailable", ""},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.error);
    HttpResponse res = KeyCheckRefused(Status(c.code, "why"));
    EXPECT_EQ(res.result_int(), c.status);
    EXPECT_EQ(res["X-2501-Error"], c.error);
    if (c.challenge.empty()) {
      EXPECT_EQ(res.find(field::www_authenticate), res.end());
    } else {
      EXPECT_EQ(res[field::www_authenticate], c.challenge);
    }
    EXPECT_NE(res.body().find(std::string(R"("code":")") + std::string(c.error) + "\""),
              std::string::npos)
        << "direct callers still get the error body";
    EXPECT_EQ(res.find("X-2501-Account"), res.end());
  }
  // 429 and 503 keep the Retry-After a proxy may pass on.
  EXPECT_EQ(KeyCheckRefused(RateLimited("wait", 7))[field::retry_after], "7");
}

}  // namespace
}  // namespace tfzo::http
