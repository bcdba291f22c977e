#include "http/json_codec.h"

#include <gtest/gtest.h>

#include <array>
#include <optional>
#include <string>

namespace tfzo::http {
namespace {

// A POST of `body` with Content-Type `content_type` (none when empty).
HttpRequest Post(std::string body, std::string_view content_type = "application/json") {
  HttpRequest msg{beast_http::verb::post, "/api/login", 11};
  if (!content_type.empty()) msg.set(beast_http::field::content_type, content_type);
  msg.body() = std::move(body);
  return msg;
}

TEST(JsonBodyTest, RejectsWhatIsNotAnObjectNamingTheProblem) {
  EXPECT_EQ(JsonBody::Parse(Post("{"), {"name"}).status().message(), "body: not valid JSON");
  EXPECT_EQ(JsonBody::Parse(Post("[1]"), {"name"}).status().message(),
            "body: must be a JSON object");
  EXPECT_EQ(JsonBody::Parse(Post(""), {"name"}).status().code(), StatusCode::kInvalidRequest);
  EXPECT_TRUE(JsonBody::Parse(Post(""), {"name"}, /*empty_ok=*/true).ok());
  EXPECT_EQ(JsonBody::Parse(Post(R"({"nme": "x"})"), {"name"}).status().message(),
            "nme: unknown field");
  // nlohmann refuses invalid UTF-8 inside strings, and lone surrogates in \u escapes.
  EXPECT_EQ(JsonBody::Parse(Post("{\"name\": \"\xff\"}"), {"name"}).status().message(),
            "body: not valid JSON");
  EXPECT_EQ(JsonBody::Parse(Post(R"({"name": "\ud800"})"), {"name"}).status().message(),
            "body: not valid JSON");
}

TEST(JsonBodyTest, OnlyApplicationJsonIsAccepted) {
  const std::string body = R"({"name": "x"})";
  for (std::string_view type : {"application/json", "application/json; charset=utf-8",
                                "Application/JSON;charset=UTF-8", " application/json "}) {
    EXPECT_TRUE(JsonBody::Parse(Post(body, type), {"name"}).ok()) << type;
  }
  for (std::string_view type :
       {"", "text/plain", "text/plain; charset=utf-8", "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=x", "application/jsonx", "application/json-patch+json",
        "text/json", "application/json, text/plain"}) {
    auto parsed = JsonBody::Parse(Post(body, type), {"name"});
    EXPECT_EQ(parsed.status().code(), StatusCode::kUnsupportedMedia) << type;
  }
  // Two Content-Type fields: refused, whichever comes first.
  HttpRequest twice = Post(body);
  twice.insert(beast_http::field::content_type, "text/plain");
  EXPECT_EQ(JsonBody::Parse(twice, {"name"}).status().code(), StatusCode::kUnsupportedMedia);
  // No body is no body: a route whose body is optional takes it as {}.
  EXPECT_TRUE(JsonBody::Parse(Post("", "text/plain"), {"name"}, /*empty_ok=*/true).ok());
  EXPECT_TRUE(JsonBody::Parse(Post("", ""), {"name"}, /*empty_ok=*/true).ok());
}

TEST(JsonBodyTest, TypedGettersNameTheField) {
  auto body = JsonBody::Parse(Post(R"({"name": 5, "description": null, "expires_at": "soon"})"),
                              {"name", "description", "expires_at", "org_id"});
  ASSERT_TRUE(body.ok());
  EXPECT_EQ(body->RequiredString("name").status().message(), "name: must be a string");
  EXPECT_EQ(body->RequiredString("org_id").status().message(), "org_id: is required");
  auto description = body->OptionalString("description");
  ASSERT_TRUE(description.ok());
  EXPECT_FALSE(description->has_value());
  EXPECT_TRUE(body->OptionalTime("expires_at").status().message().starts_with("expires_at: "));
}

// ScanPlainStrings with the fields "key" and "org_id": its values, or nullopt when it declines.
std::optional<std::array<std::optional<std::string>, 2>> Scan(
    std::string body, std::string_view type = "application/json") {
  static constexpr std::array<std::string_view, 2> kFields = {"key", "org_id"};
  const HttpRequest msg = Post(std::move(body), type);
  std::array<std::optional<std::string_view>, 2> views;
  if (!JsonBody::ScanPlainStrings(msg, kFields, views)) return std::nullopt;
  std::array<std::optional<std::string>, 2> out;
  for (size_t i = 0; i < 2; ++i) {
    if (views[i]) out[i] = std::string(*views[i]);
  }
  return out;
}

TEST(JsonBodyTest, PlainStringBodiesAreScannedToWhatTheParserReads) {
  for (const std::string body :
       {R"({"key":"tfzo_abc"})", R"({"key": "tfzo_abc", "org_id": "org_1"})",
        " \t\r\n{ \"org_id\" : \"o p\" ,\n\"key\":\"\" } \n", R"({})", R"({"key":"a/b{}[]:,"})"}) {
    auto scanned = Scan(body);
    ASSERT_TRUE(scanned.has_value()) << body;
    auto parsed = JsonBody::Parse(Post(body), {"key", "org_id"});
    ASSERT_TRUE(parsed.ok()) << body;
    EXPECT_EQ((*scanned)[0], *parsed->OptionalString("key")) << body;
    EXPECT_EQ((*scanned)[1], *parsed->OptionalString("org_id")) << body;
  }
  EXPECT_EQ((*Scan(R"({"org_id":"o","key":"k"})"))[0], "k");
  EXPECT_FALSE((*Scan(R"({"key":"k"})"))[1].has_value()) << "absent";
}

TEST(JsonBodyTest, AnythingButPlainStringsIsLeftToTheParser) {
  using namespace std::string_literals;
  for (const std::string& body : std::initializer_list<std::string>{
           "",                                 // no body
           R"({"key":"tfzo\u005fabc"})",       // an escape
           R"({"key":"a\"b"})",                // an escaped quote
           "{\"key\":\"caf\xc3\xa9\"}",        // not ASCII
           "{\"key\":\"a\tb\"}",               // a control character
           "{\"key\":\"a\0b\"}"s,              // NUL
           R"({"key":null})",                  // null
           R"({"key":1})", R"({"key":true})",  // other types
           R"({"key":"a","key":"b"})",         // repeated
           R"({"name":"a"})",                  // unknown
           R"({"key":"a",})", R"({"key":"a"} x)", R"({"key":"a")", R"({"key" "a"})", R"({key:"a"})",
           R"(["a"])", "\xef\xbb\xbf{\"key\":\"a\"}",  // BOM
       }) {
    EXPECT_FALSE(Scan(body).has_value()) << body;
  }
  EXPECT_FALSE(Scan(R"({"key":"a"})", "text/plain").has_value()) << "the media type is checked";
  EXPECT_FALSE(Scan(R"({"key":"a"})", "").has_value());
}

TEST(JsonCodecTest, KeyJsonHasEveryFieldOfTheSpec) {
  KeyRecord key;
  key.id = "key_1";
  key.name = "ci";
  key.hint = "tfzo_...abcd";
  key.created_at = FromUnix(1000);
  key.expires_at = FromUnix(2000);
  json j = KeyJson(key, FromUnix(1500));
  for (const char* field :
       {"id", "name", "description", "hint", "org_id", "org_name", "created_at", "expires_at",
        "last_used_at", "rotated_at", "revoked_at", "status", "flags"}) {
    EXPECT_TRUE(j.contains(field)) << field;
  }
  EXPECT_EQ(j["status"], "active");
  // Expires in 500 s: within 7 days.
  EXPECT_EQ(j["flags"], json::array({"expiring_soon"}));
  EXPECT_TRUE(j["org_id"].is_null());
  EXPECT_EQ(KeyJson(key, FromUnix(2000))["status"], "expired");
  EXPECT_EQ(KeyJson(key, FromUnix(2000))["flags"], json::array());
  key.revoked_at = FromUnix(1200);
  EXPECT_EQ(KeyJson(key, FromUnix(1500))["status"], "revoked");
  EXPECT_EQ(KeyJson(key, FromUnix(1500))["flags"], json::array());
}

TEST(JsonCodecTest, KeyJsonNamesItsServiceAccount) {
  KeyRecord key;
  key.id = "key_1";
  key.account_id = "sa_1";
  EXPECT_TRUE(KeyJson(key, FromUnix(1))["service_account"].is_null());
  key.service_account_name = "CI";
  EXPECT_EQ(KeyJson(key, FromUnix(1))["service_account"], json({{"id", "sa_1"}, {"name", "CI"}}));
}

}  // namespace
}  // namespace tfzo::http
