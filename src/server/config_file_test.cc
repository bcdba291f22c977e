#include "server/config_file.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace tfzo {
namespace {

// A command shaped like `serve`: each kind of option the file can set.
struct Command {
  Command() {
    app.add_option("--config", config);
    app.add_option("--listen", listen);
    app.add_option("--db", db)->envname("TFZO_CONFIG_FILE_TEST_DB");
    app.add_option("--threads", threads)->check(CLI::Range(1, 256));
    app.add_option("--max-connections", max_connections);
    app.add_option("--max-key-lifetime", lifetime);
    app.add_option("--db-timeout", db_timeout)->check(CLI::Range(0.05, 600.0));
    app.add_flag("--access-log,!--no-access-log", access_log);
    app.add_option("--trusted-proxies", proxies)->delimiter(',');
  }

  void Parse(std::vector<std::string> args) {
    args.insert(args.begin(), "serve");
    std::vector<const char*> argv;
    for (const auto& a : args) argv.push_back(a.c_str());
    app.parse(static_cast<int>(argv.size()), argv.data());
  }

  Result<ConfigFileOutcome> Apply(std::string_view text,
                                  std::map<std::string, std::string> vars = {}) {
    return ApplyConfigText(text, "config.toml", app, "config",
                           [vars](const std::string& name) -> std::optional<std::string> {
                             auto it = vars.find(name);
                             if (it == vars.end()) return std::nullopt;
                             return it->second;
                           });
  }

  CLI::App app{"test"};
  std::string config;
  std::string listen = "127.0.0.1:8080";
  std::string db = "sqlite:default.db";
  int threads = 4;
  size_t max_connections = 100;
  std::optional<int> lifetime;
  double db_timeout = 5;
  bool access_log = true;
  std::vector<std::string> proxies;
};

TEST(ConfigFileTest, KeysAreTheLongNames) {
  Command c;
  std::vector<std::string> keys;
  for (const CLI::Option* o : c.app.get_options()) keys.push_back(ConfigKey(*o));
  EXPECT_EQ(keys, (std::vector<std::string>{"help", "config", "listen", "db", "threads",
                                            "max-connections", "max-key-lifetime", "db-timeout",
                                            "access-log", "trusted-proxies"}));
}

TEST(ConfigFileTest, SetsEachKindOfValue) {
  Command c;
  c.Parse({});
  auto r = c.Apply(R"(
listen = "0.0.0.0:9000"
threads = 8
max-connections = 5000
max-key-lifetime = 90
db-timeout = 0.5
access-log = false
trusted-proxies = ["10.0.0.0/8", "127.0.0.1"]
)");
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(c.listen, "0.0.0.0:9000");
  EXPECT_EQ(c.threads, 8);
  EXPECT_EQ(c.max_connections, 5000u);
  EXPECT_EQ(c.lifetime, 90);
  EXPECT_DOUBLE_EQ(c.db_timeout, 0.5);
  EXPECT_FALSE(c.access_log);
  EXPECT_EQ(c.proxies, (std::vector<std::string>{"10.0.0.0/8", "127.0.0.1"}));
  EXPECT_EQ(c.db, "sqlite:default.db");  // not in the file: the default stays
}

TEST(ConfigFileTest, CommaListAsAString) {
  Command c;
  c.Parse({});
  ASSERT_TRUE(c.Apply("trusted-proxies = \"10.0.0.0/8,127.0.0.1\"\ndb-timeout = 2").ok());
  EXPECT_EQ(c.proxies, (std::vector<std::string>{"10.0.0.0/8", "127.0.0.1"}));
  EXPECT_DOUBLE_EQ(c.db_timeout, 2.0);  // an integer is a number too
}

TEST(ConfigFileTest, TheCommandLineWins) {
  Command c;
  c.Parse({"--listen", "127.0.0.1:1", "--no-access-log"});
  ASSERT_TRUE(c.Apply("listen = \"0.0.0.0:9000\"\naccess-log = true\nthreads = 2").ok());
  EXPECT_EQ(c.listen, "127.0.0.1:1");
  EXPECT_FALSE(c.access_log);
  EXPECT_EQ(c.threads, 2);
}

TEST(ConfigFileTest, TheOptionsEnvironmentVariableWins) {
  ::setenv("TFZO_CONFIG_FILE_TEST_DB", "sqlite:from-env.db", 1);
  Command c;
  c.Parse({});
  ::unsetenv("TFZO_CONFIG_FILE_TEST_DB");
  ASSERT_TRUE(c.Apply("db = \"sqlite:from-file.db\"").ok());
  EXPECT_EQ(c.db, "sqlite:from-env.db");
}

TEST(ConfigFileTest, ValueFromTheEnvironment) {
  Command c;
  c.Parse({});
  auto r = c.Apply("db = { env = \"PGURL\" }\nthreads = { env = \"N\" }",
                   {{"PGURL", "postgresql://u:pw@db/x"}, {"N", "3"}});
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(c.db, "postgresql://u:pw@db/x");
  EXPECT_EQ(c.threads, 3);
}

TEST(ConfigFileTest, MissingEnvironmentVariable) {
  Command c;
  c.Parse({});
  auto r = c.Apply("\ndb = { env = \"PGURL\" }");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(),
            "config.toml:2: \"db\": the environment variable PGURL is not set");
  EXPECT_FALSE(c.Apply("db = { name = \"PGURL\" }").ok());
}

TEST(ConfigFileTest, UnknownKeyNamesLineAndKey) {
  Command c;
  c.Parse({});
  for (const char* text : {"listen = \"a:1\"\n\nlistn = \"x\"", "# c\n\n[listn]\nx = 1"}) {
    auto r = c.Apply(text);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().message(), "config.toml:3: unknown key \"listn\"");
  }
  // Neither the file's own option, --help nor a negated flag's second name is a key.
  for (const char* key : {"config", "help", "no-access-log"}) {
    auto r = c.Apply(std::string(key) + " = \"x\"");
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().message(), "config.toml:1: unknown key \"" + std::string(key) + "\"");
  }
}

TEST(ConfigFileTest, WrongTypes) {
  const std::map<std::string, std::string> cases = {
      {"max-connections = \"many\"", "\"max-connections\": expected an integer from 0"},
      {"max-connections = -1", "\"max-connections\": expected an integer from 0"},
      {"threads = 1.5", "\"threads\": expected an integer"},
      {"listen = 8080", "\"listen\": expected a string"},
      {"access-log = \"yes\"", "\"access-log\": expected true or false"},
      {"db-timeout = \"1\"", "\"db-timeout\": expected a number"},
      {"listen = [\"a:1\"]", "\"listen\": expected a string, not an array"},
      {"trusted-proxies = [1]", "\"trusted-proxies\": expected a string"},
  };
  for (const auto& [text, error] : cases) {
    Command c;
    c.Parse({});
    auto r = c.Apply("\n\n" + text);
    ASSERT_FALSE(r.ok()) << text;
    EXPECT_EQ(r.status().message(), "config.toml:3: " + error);
  }
}

TEST(ConfigFileTest, ValidatorRefusal) {
  Command c;
  c.Parse({});
  auto r = c.Apply("threads = 0");
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(r.status().message().starts_with("config.toml:1: \"threads\": "))
      << r.status().message();
  EXPECT_NE(r.status().message().find("256"), std::string::npos) << r.status().message();
}

TEST(ConfigFileTest, NotToml) {
  Command c;
  c.Parse({});
  auto r = c.Apply("listen = \"a:1\"\nthreads = = 2");
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(r.status().message().starts_with("config.toml:2: not valid TOML"))
      << r.status().message();
}

class ConfigFileOnDiskTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/config_file_test.XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    path_ = dir_ + "/config.toml";
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  void Write(const std::string& text, mode_t mode) {
    std::ofstream(path_) << text;
    ASSERT_EQ(::chmod(path_.c_str(), mode), 0);
  }

  std::string dir_;
  std::string path_;
};

TEST_F(ConfigFileOnDiskTest, WarnsWhenOthersMayReadAPassword) {
  // The password is longer than mkdtemp's six random characters, so the file's path (which the
  // warning names) can never contain it by chance.
  Write("db = \"postgresql://u:not-for-your-eyes@db.example/x\"\n", 0644);
  Command c;
  c.Parse({});
  auto r = ApplyConfigFile(path_, c.app, "config", ProcessEnv());
  ASSERT_TRUE(r.ok()) << r.status().message();
  ASSERT_EQ(r->warnings.size(), 1u);
  EXPECT_NE(r->warnings[0].find("\"db\""), std::string::npos);
  EXPECT_EQ(r->warnings[0].find("not-for-your-eyes"), std::string::npos);  // never the secret

  Write("db = \"postgresql://u:not-for-your-eyes@db.example/x\"\n", 0600);
  r = ApplyConfigFile(path_, c.app, "config", ProcessEnv());
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->warnings.empty());
}

TEST_F(ConfigFileOnDiskTest, NoWarningWithoutASecret) {
  Write("db = \"postgresql://u@db.example/x\"\nlisten = \"127.0.0.1:0\"\n", 0644);
  Command c;
  c.Parse({});
  auto r = ApplyConfigFile(path_, c.app, "config", ProcessEnv());
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->warnings.empty());
}

TEST_F(ConfigFileOnDiskTest, MissingFile) {
  Command c;
  c.Parse({});
  auto r = ApplyConfigFile(dir_ + "/nope.toml", c.app, "config", ProcessEnv());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), dir_ + "/nope.toml: cannot read: No such file or directory");
}

}  // namespace
}  // namespace tfzo
