#include "cli/settings.h"

#include <gtest/gtest.h>

#include <filesystem>

namespace tfzo::cli {
namespace {

class SettingsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto c = Config::Load("/nonexistent-tfzo/2501/config.toml");
    ASSERT_TRUE(c.ok());
    config_.emplace(std::move(c).value());
    config_->Set("default", "api_host", "http://file-default:1");
    config_->Set("default", "api_key", "tfzo_file_default");
    config_->Set("ci", "api_host", "http://file-ci:1/");
    config_->Set("ci", "api_key", "tfzo_file_ci");
  }
  std::optional<Config> config_;
};

TEST_F(SettingsTest, DefaultsWithNothingConfigured) {
  auto empty = Config::Load("/nonexistent-tfzo/x.toml");
  Settings s = Settings::Resolve({}, MapEnv({}), *empty);
  EXPECT_EQ(s.profile.value, "default");
  EXPECT_EQ(s.profile.source, Source::kDefault);
  EXPECT_EQ(s.api_host.value, "http://127.0.0.1:8080");
  EXPECT_EQ(s.api_host.source, Source::kDefault);
  EXPECT_TRUE(s.api_key.key.empty());
}

TEST_F(SettingsTest, FileBeatsDefault) {
  Settings s = Settings::Resolve({}, MapEnv({}), *config_);
  EXPECT_EQ(s.api_host.value, "http://file-default:1");
  EXPECT_EQ(s.api_host.source, Source::kFile);
  EXPECT_EQ(s.api_key.key.reveal(), "tfzo_file_default");
  EXPECT_EQ(s.api_key.source, Source::kFile);
}

TEST_F(SettingsTest, EnvBeatsFile) {
  Settings s = Settings::Resolve({},
                                 MapEnv({{"TFZO_PROFILE", "ci"},
                                         {"TFZO_API_HOST", "http://env:1"},
                                         {"TFZO_API_KEY", "tfzo_env"}}),
                                 *config_);
  EXPECT_EQ(s.profile.value, "ci");
  EXPECT_EQ(s.profile.source, Source::kEnv);
  EXPECT_EQ(s.api_host.value, "http://env:1");
  EXPECT_EQ(s.api_host.source, Source::kEnv);
  EXPECT_EQ(s.api_key.key.reveal(), "tfzo_env");
  EXPECT_EQ(s.api_key.source, Source::kEnv);
}

TEST_F(SettingsTest, ProfileFromEnvSelectsTheFilesTable) {
  Settings s = Settings::Resolve({}, MapEnv({{"TFZO_PROFILE", "ci"}}), *config_);
  EXPECT_EQ(s.api_host.value, "http://file-ci:1");  // trailing slash dropped
  EXPECT_EQ(s.api_key.key.reveal(), "tfzo_file_ci");
}

TEST_F(SettingsTest, FlagBeatsEnv) {
  GlobalOptions flags;
  flags.profile = "default";
  flags.host = "http://flag:1";
  Settings s = Settings::Resolve(
      flags, MapEnv({{"TFZO_PROFILE", "ci"}, {"TFZO_API_HOST", "http://env:1"}}), *config_);
  EXPECT_EQ(s.profile.value, "default");
  EXPECT_EQ(s.profile.source, Source::kFlag);
  EXPECT_EQ(s.api_host.value, "http://flag:1");
  EXPECT_EQ(s.api_host.source, Source::kFlag);
  EXPECT_EQ(s.api_key.key.reveal(), "tfzo_file_default");
}

TEST_F(SettingsTest, EmptyEnvIsUnset) {
  Settings s =
      Settings::Resolve({}, MapEnv({{"TFZO_API_KEY", ""}, {"TFZO_PROFILE", ""}}), *config_);
  EXPECT_EQ(s.profile.value, "default");
  EXPECT_EQ(s.api_key.source, Source::kFile);
}

TEST(NormalizeApiHostTest, AcceptsHttpUrlsOnly) {
  EXPECT_EQ(NormalizeApiHost("http://127.0.0.1:8080/"), "http://127.0.0.1:8080");
  EXPECT_EQ(NormalizeApiHost("https://a.example/base"), "https://a.example/base");
  EXPECT_FALSE(NormalizeApiHost("127.0.0.1:8080"));
  EXPECT_FALSE(NormalizeApiHost("ftp://x"));
  EXPECT_FALSE(NormalizeApiHost("http://"));
  EXPECT_FALSE(NormalizeApiHost("http://a b"));
  EXPECT_FALSE(NormalizeApiHost("https://user:pw@a.example"));
}

TEST(ApiHostTest, UserInfoAndPlainHttpToAnotherHost) {
  EXPECT_TRUE(ApiHostHasUserInfo("https://user:pw@a.example/x"));
  EXPECT_TRUE(ApiHostHasUserInfo("http://user@127.0.0.1"));
  EXPECT_FALSE(ApiHostHasUserInfo("https://a.example/x@y"));  // in the path, not the host
  EXPECT_TRUE(IsPlainHttpToRemoteHost("http://accounts.example.com"));
  EXPECT_TRUE(IsPlainHttpToRemoteHost("http://10.0.0.1:8080"));
  EXPECT_TRUE(IsPlainHttpToRemoteHost("http://127.0.0.1.example.com"));
  EXPECT_FALSE(IsPlainHttpToRemoteHost("https://accounts.example.com"));
  EXPECT_FALSE(IsPlainHttpToRemoteHost("http://127.0.0.1:8080"));
  EXPECT_FALSE(IsPlainHttpToRemoteHost("http://127.1.2.3"));
  EXPECT_FALSE(IsPlainHttpToRemoteHost("http://LOCALHOST:8080/base"));
  EXPECT_FALSE(IsPlainHttpToRemoteHost("http://[::1]:8080"));
}

}  // namespace
}  // namespace tfzo::cli
