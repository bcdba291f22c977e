#include "http/json_codec.h"

#include <gtest/gtest.h>

namespace tfzo::http {
namespace {

TEST(JsonBodyTest, RejectsWhatIsNotAnObjectNamingTheProblem) {
  EXPECT_EQ(JsonBody::Parse("{", {"name"}).status().message(), "body: not valid JSON");
  EXPECT_EQ(JsonBody::Parse("[1]", {"name"}).status().message(), "body: must be a JSON object");
  EXPECT_EQ(JsonBody::Parse("", {"name"}).status().code(), StatusCode::kInvalidRequest);
  EXPECT_TRUE(JsonBody::Parse("", {"name"}, /*empty_ok=*/true).ok());
  EXPECT_EQ(JsonBody::Parse(R"({"nme": "x"})", {"name"}).status().message(), "nme: unknown field");
}

TEST(JsonBodyTest, TypedGettersNameTheField) {
  auto body = JsonBody::Parse(R"({"name": 5, "description": null, "expires_at": "soon"})",
                              {"name", "description", "expires_at", "org_id"});
  ASSERT_TRUE(body.ok());
  EXPECT_EQ(body->RequiredString("name").status().message(), "name: must be a string");
  EXPECT_EQ(body->RequiredString("org_id").status().message(), "org_id: is required");
  auto description = body->OptionalString("description");
  ASSERT_TRUE(description.ok());
  EXPECT_FALSE(description->has_value());
  EXPECT_TRUE(body->OptionalTime("expires_at").status().message().starts_with("expires_at: "));
}

TEST(JsonCodecTest, KeyJsonHasEveryFieldOfTheSpec) {
  KeyRecord key;
  key.id = "key_1";
  key.name = "ci";
  key.hint = "tfzo_...abcd";
  key.created_at = FromUnix(1000);
  key.expires_at = FromUnix(2000);
  json j = KeyJson(key, FromUnix(1500));
  for (const char* field : {"id", "name", "description", "hint", "org_id", "org_name", "created_at",
                            "expires_at", "last_used_at", "rotated_at", "revoked_at", "status"}) {
    EXPECT_TRUE(j.contains(field)) << field;
  }
  EXPECT_EQ(j["status"], "active");
  EXPECT_TRUE(j["org_id"].is_null());
  EXPECT_EQ(KeyJson(key, FromUnix(2000))["status"], "expired");
  key.revoked_at = FromUnix(1200);
  EXPECT_EQ(KeyJson(key, FromUnix(1500))["status"], "revoked");
}

}  // namespace
}  // namespace tfzo::http
