#include "cli/config.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>

namespace tfzo::cli {
namespace {

namespace fs = std::filesystem;

class ConfigTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/tfzo-config-XXXXXX";
    home_ = ::mkdtemp(tmpl);
    path_ = (fs::path(home_) / "xdg" / "2501" / "config.toml").string();
  }
  void TearDown() override { fs::remove_all(home_); }

  mode_t ModeOf(const std::string& p) {
    struct stat st;
    EXPECT_EQ(::stat(p.c_str(), &st), 0);
    return st.st_mode & 07777;
  }

  std::string home_;
  std::string path_;
};

TEST(ConfigPathTest, XdgConfigHomeFirst) {
  EXPECT_EQ(Config::DefaultPath(MapEnv({{"XDG_CONFIG_HOME", "/x/cfg"}, {"HOME", "/home/a"}})),
            "/x/cfg/2501/config.toml");
  EXPECT_EQ(Config::DefaultPath(MapEnv({{"HOME", "/home/a"}})), "/home/a/.config/2501/config.toml");
  // The XDG spec: a relative XDG_CONFIG_HOME is invalid and ignored; empty is unset.
  EXPECT_EQ(Config::DefaultPath(MapEnv({{"XDG_CONFIG_HOME", "rel"}, {"HOME", "/home/a"}})),
            "/home/a/.config/2501/config.toml");
  EXPECT_EQ(Config::DefaultPath(MapEnv({{"XDG_CONFIG_HOME", ""}, {"HOME", "/home/a"}})),
            "/home/a/.config/2501/config.toml");
}

TEST_F(ConfigTest, MissingFileIsEmpty) {
  auto c = Config::Load(path_);
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_FALSE(c->exists());
  EXPECT_TRUE(c->PermissionsSafe());
  EXPECT_FALSE(c->Get("default", "api_key"));
  EXPECT_TRUE(c->Profiles().empty());
}

TEST_F(ConfigTest, SaveWritesProfilesWithSafeModes) {
  auto c = Config::Load(path_);
  ASSERT_TRUE(c.ok());
  c->Set("default", "api_host", "http://127.0.0.1:9");
  c->Set("default", "api_key", "tfzo_x");
  c->Set("ci", "api_host", "https://ci.example");
  ASSERT_TRUE(c->Save().ok());
  EXPECT_EQ(ModeOf(path_), 0600u);
  EXPECT_EQ(ModeOf(fs::path(path_).parent_path()), 0700u);

  auto again = Config::Load(path_);
  ASSERT_TRUE(again.ok()) << again.status().message();
  EXPECT_TRUE(again->exists());
  EXPECT_TRUE(again->PermissionsSafe());
  EXPECT_EQ(again->Get("default", "api_host"), "http://127.0.0.1:9");
  EXPECT_EQ(again->Get("default", "api_key"), "tfzo_x");
  EXPECT_EQ(again->Get("ci", "api_host"), "https://ci.example");
  EXPECT_FALSE(again->Get("ci", "api_key"));
  EXPECT_EQ(again->Profiles(), (std::vector<std::string>{"ci", "default"}));
}

TEST_F(ConfigTest, FileFormatIsTheSpecsTables) {
  auto c = Config::Load(path_);
  ASSERT_TRUE(c.ok());
  c->Set("default", "api_host", "http://127.0.0.1:8080");
  std::string text = c->Serialize();
  EXPECT_NE(text.find("[profiles.default]"), std::string::npos) << text;
  EXPECT_NE(text.find("api_host = \"http://127.0.0.1:8080\""), std::string::npos) << text;
}

TEST_F(ConfigTest, UnsafePermissionsAreReported) {
  auto c = Config::Load(path_);
  ASSERT_TRUE(c.ok());
  c->Set("default", "api_key", "k");
  ASSERT_TRUE(c->Save().ok());
  for (mode_t mode : {0640, 0604, 0620, 0602, 0644}) {
    ::chmod(path_.c_str(), mode);
    auto loaded = Config::Load(path_);
    ASSERT_TRUE(loaded.ok());
    EXPECT_FALSE(loaded->PermissionsSafe()) << std::oct << mode;
    EXPECT_EQ(loaded->mode(), mode);
  }
  ::chmod(path_.c_str(), 0400);
  EXPECT_TRUE(Config::Load(path_)->PermissionsSafe());
}

TEST_F(ConfigTest, SaveKeepsUnknownKeysAndTightensMode) {
  fs::create_directories(fs::path(path_).parent_path());
  {
    std::ofstream(path_) << "editor = \"vi\"\n[profiles.default]\napi_host = \"http://a\"\n"
                            "color = true\n";
  }
  ::chmod(path_.c_str(), 0644);
  auto c = Config::Load(path_);
  ASSERT_TRUE(c.ok()) << c.status().message();
  c->Set("default", "api_key", "k");
  ASSERT_TRUE(c->Save().ok());
  EXPECT_EQ(ModeOf(path_), 0600u);
  std::string text = c->Serialize();
  EXPECT_NE(text.find("editor = \"vi\""), std::string::npos) << text;
  EXPECT_NE(text.find("color = true"), std::string::npos) << text;
}

TEST_F(ConfigTest, InvalidTomlNamesTheLine) {
  fs::create_directories(fs::path(path_).parent_path());
  { std::ofstream(path_) << "[profiles.default]\napi_host = \n"; }
  auto c = Config::Load(path_);
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find(path_ + ":2:"), std::string::npos) << c.status().message();
}

TEST_F(ConfigTest, WorkspacesRoundTrip) {
  auto c = Config::Load(path_);
  ASSERT_TRUE(c.ok());
  c->SetWorkspace("default", "/src/my project", {"agt_1", "my project", "org_1"});
  ASSERT_TRUE(c->Save().ok());
  auto again = Config::Load(path_);
  ASSERT_TRUE(again.ok()) << again.status().message();
  auto ws = again->GetWorkspace("default", "/src/my project");
  ASSERT_TRUE(ws);
  EXPECT_EQ(ws->agent_id, "agt_1");
  EXPECT_EQ(ws->agent_name, "my project");
  EXPECT_EQ(ws->org_id, "org_1");
  EXPECT_FALSE(again->GetWorkspace("ci", "/src/my project"));
  EXPECT_FALSE(again->GetWorkspace("default", "/src"));
}

TEST_F(ConfigTest, SaveFailsWhenTheDirectoryCannotBeMade) {
  // A file where the directory should be: an honest failure even for root.
  fs::create_directories(fs::path(path_).parent_path().parent_path());
  { std::ofstream(fs::path(path_).parent_path()) << "in the way"; }
  auto c = Config::Load(path_);
  ASSERT_TRUE(c.ok());
  c->Set("default", "api_host", "http://a");
  EXPECT_FALSE(c->Save().ok());
}

}  // namespace
}  // namespace tfzo::cli
