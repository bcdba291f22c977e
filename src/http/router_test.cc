#include "http/router.h"

#include <gtest/gtest.h>

namespace tfzo::http {
namespace {

using beast_http::verb;

Router::Handler Answer(int code) {
  return [code](Request&) { return HttpResponse(static_cast<beast_http::status>(code), 11); };
}

TEST(RouterTest, MatchesLiteralAndParameterSegments) {
  Router router;
  router.Add(verb::get, "/api/keys", Answer(200));
  router.Add(verb::post, "/api/keys/{key}/rotate", Answer(201));
  std::unordered_map<std::string, std::string> params;
  auto m = router.Find(verb::post, "/api/keys/key_abc/rotate", params);
  ASSERT_NE(m.handler, nullptr);
  EXPECT_EQ(m.pattern, "/api/keys/{key}/rotate");
  EXPECT_EQ(params.at("key"), "key_abc");
}

TEST(RouterTest, UnknownPathIsNotFoundAndWrongMethodListsAllowed) {
  Router router;
  router.Add(verb::get, "/api/orgs", Answer(200));
  router.Add(verb::post, "/api/orgs", Answer(201));
  std::unordered_map<std::string, std::string> params;
  auto none = router.Find(verb::get, "/api/nope", params);
  EXPECT_EQ(none.handler, nullptr);
  EXPECT_TRUE(none.allow.empty());
  auto wrong = router.Find(verb::delete_, "/api/orgs", params);
  EXPECT_EQ(wrong.handler, nullptr);
  EXPECT_EQ(wrong.allow, "GET, POST");
}

TEST(RouterTest, EmptyParameterSegmentDoesNotMatch) {
  Router router;
  router.Add(verb::get, "/api/orgs/{org}/members", Answer(200));
  std::unordered_map<std::string, std::string> params;
  EXPECT_EQ(router.Find(verb::get, "/api/orgs//members", params).handler, nullptr);
  EXPECT_EQ(router.Find(verb::get, "/api/orgs/x/members/extra", params).handler, nullptr);
}

}  // namespace
}  // namespace tfzo::http
