#include "cli/invocation.h"

#include <gtest/gtest.h>

#include "cli/command_table.h"

namespace tfzo::cli {
namespace {

// The name of the parsed command ("agents list"), "" for none.
std::string_view CommandOf(const Invocation& inv) {
  return inv.command == nullptr ? "" : inv.command->name;
}

Invocation MustParse(const std::vector<std::string>& args) {
  ParsedArgs p = ParseArguments(args);
  EXPECT_TRUE(p.invocation.has_value()) << p.err;
  EXPECT_EQ(p.exit_code, 0);
  return p.invocation.value_or(Invocation{});
}

TEST(InvocationTest, GlobalOptionsBeforeOrAfterTheCommand) {
  Invocation a = MustParse({"--profile", "ci", "--host", "http://h:1", "--json", "-v", "orgs"});
  EXPECT_EQ(CommandOf(a), "orgs");
  EXPECT_EQ(a.global.profile, "ci");
  EXPECT_EQ(a.global.host, "http://h:1");
  EXPECT_TRUE(a.global.json);
  EXPECT_TRUE(a.global.verbose);

  Invocation b = MustParse({"agents", "list", "--json", "--profile", "ci"});
  EXPECT_EQ(CommandOf(b), "agents list");
  EXPECT_TRUE(b.global.json);
  EXPECT_EQ(b.global.profile, "ci");
  EXPECT_FALSE(b.global.host);
}

TEST(InvocationTest, SetCommands) {
  Invocation k = MustParse({"set", "api_key", "-"});
  EXPECT_EQ(CommandOf(k), "set api_key");
  EXPECT_EQ(k.key_arg, "-");
  Invocation prompt = MustParse({"set", "api_key"});
  EXPECT_EQ(CommandOf(prompt), "set api_key");
  EXPECT_FALSE(prompt.key_arg);
  Invocation h = MustParse({"set", "api_host", "https://accounts.example"});
  EXPECT_EQ(CommandOf(h), "set api_host");
  EXPECT_EQ(h.url, "https://accounts.example");
}

TEST(InvocationTest, AuthStatusAndWhoami) {
  EXPECT_EQ(CommandOf(MustParse({"auth", "status"})), "auth status");
  EXPECT_EQ(CommandOf(MustParse({"whoami"})), "auth status");
  EXPECT_EQ(CommandOf(MustParse({"config"})), "config");
}

TEST(InvocationTest, LoginAndLogout) {
  Invocation login = MustParse({"--host", "https://accounts.example", "login", "--org", "acme",
                                "--web", "--profile", "laptop"});
  EXPECT_EQ(CommandOf(login), "login");
  EXPECT_EQ(login.global.host, "https://accounts.example");
  EXPECT_EQ(login.global.profile, "laptop");
  EXPECT_EQ(login.org, "acme");
  EXPECT_TRUE(login.web);
  Invocation plain = MustParse({"login"});
  EXPECT_FALSE(plain.web);
  EXPECT_FALSE(plain.org);

  Invocation logout = MustParse({"logout", "--keep-key"});
  EXPECT_EQ(CommandOf(logout), "logout");
  EXPECT_TRUE(logout.keep_key);
  EXPECT_FALSE(MustParse({"logout"}).keep_key);

  // Each command's own options only: a usage error (exit 2) with its usage line.
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"login", "--keep-key"}, {"logout", "--web"}, {"login", "extra"}}) {
    ParsedArgs p = ParseArguments(args);
    EXPECT_FALSE(p.invocation.has_value());
    EXPECT_EQ(p.exit_code, 2);
    EXPECT_NE(p.err.find("Usage: 2501 " + args[0]), std::string::npos) << p.err;
  }
}

TEST(InvocationTest, AgentsDefaultsToList) {
  Invocation a = MustParse({"agents"});
  EXPECT_EQ(CommandOf(a), "agents list");
  EXPECT_FALSE(a.org);
  Invocation b = MustParse({"agents", "--org", "acme"});
  EXPECT_EQ(CommandOf(b), "agents list");
  EXPECT_EQ(b.org, "acme");
  EXPECT_EQ(CommandOf(MustParse({"hosts"})), "hosts list");
  EXPECT_EQ(MustParse({"hosts", "list", "--org", "o"}).org, "o");
}

TEST(InvocationTest, AgentsCreateHostIsTheAgentsHost) {
  Invocation a = MustParse({"--host", "http://api:1", "agents", "create", "builder", "--org",
                            "acme", "--host", "web-1"});
  EXPECT_EQ(CommandOf(a), "agents create");
  EXPECT_EQ(a.name, "builder");
  EXPECT_EQ(a.org, "acme");
  EXPECT_EQ(a.agent_host, "web-1");
  EXPECT_EQ(a.global.host, "http://api:1");
}

TEST(InvocationTest, RmAndHostsCreate) {
  Invocation rm = MustParse({"agents", "rm", "agt_1", "--org", "o"});
  EXPECT_EQ(CommandOf(rm), "agents rm");
  EXPECT_EQ(rm.name, "agt_1");
  Invocation h = MustParse({"hosts", "create", "web", "--address", "10.0.0.1"});
  EXPECT_EQ(CommandOf(h), "hosts create");
  EXPECT_EQ(h.name, "web");
  EXPECT_EQ(h.address, "10.0.0.1");
  EXPECT_EQ(CommandOf(MustParse({"hosts", "rm", "hst_1"})), "hosts rm");
}

TEST(InvocationTest, InitAndScan) {
  Invocation i = MustParse({"init", "--name", "w", "--org", "o"});
  EXPECT_EQ(CommandOf(i), "init");
  EXPECT_EQ(i.init_name, "w");
  EXPECT_EQ(i.org, "o");
  Invocation s = MustParse({"scan", "a", "b"});
  EXPECT_EQ(CommandOf(s), "scan");
  EXPECT_EQ(s.paths, (std::vector<std::string>{"a", "b"}));
  EXPECT_TRUE(MustParse({"scan", "--staged"}).staged);
  Invocation hook = MustParse({"scan", "--install-hook"});
  EXPECT_EQ(CommandOf(hook), "scan");
  EXPECT_TRUE(hook.install_hook);
}

TEST(InvocationTest, UsageErrorsExitTwoWithTheUsageLine) {
  for (const std::vector<std::string>& args :
       std::vector<std::vector<std::string>>{{"agents", "create"},
                                             {"hosts", "create", "web"},
                                             {"set", "api_host"},
                                             {"set"},
                                             {"bogus"},
                                             {"orgs", "--nope"},
                                             {"scan", "--staged", "x"},
                                             {"agents", "rm"}}) {
    ParsedArgs p = ParseArguments(args);
    EXPECT_FALSE(p.invocation) << args[0];
    EXPECT_EQ(p.exit_code, 2) << args[0];
    EXPECT_NE(p.err.find("Usage: 2501"), std::string::npos) << p.err;
    EXPECT_TRUE(p.out.empty());
  }
  ParsedArgs p = ParseArguments({"agents", "create"});
  EXPECT_NE(p.err.find("Usage: 2501 agents create NAME [--org ORG] [--host HOST]"),
            std::string::npos)
      << p.err;
}

TEST(InvocationTest, UsageErrorUnderJsonPrintsAnErrorObject) {
  ParsedArgs p = ParseArguments({"--json", "agents", "create"});
  EXPECT_EQ(p.exit_code, 2);
  EXPECT_NE(p.out.find("{\"error\":{\"code\":\"usage\""), std::string::npos) << p.out;
}

TEST(InvocationTest, HelpEverywhere) {
  for (const std::vector<std::string>& args :
       std::vector<std::vector<std::string>>{{"--help"},
                                             {"agents", "create", "--help"},
                                             {"scan", "--help"},
                                             {"set", "api_key", "--help"},
                                             {"auth", "status", "--help"}}) {
    ParsedArgs p = ParseArguments(args);
    EXPECT_FALSE(p.invocation);
    EXPECT_EQ(p.exit_code, 0);
    EXPECT_NE(p.out.find("Usage: 2501"), std::string::npos) << p.out;
  }
  EXPECT_EQ(ParseArguments({"agents", "create", "--help"}).out.find("--address"),
            std::string::npos);
}

TEST(InvocationTest, NoCommandPrintsHelp) {
  ParsedArgs p = ParseArguments(std::vector<std::string>{});
  EXPECT_FALSE(p.invocation);
  EXPECT_EQ(p.exit_code, 0);
  EXPECT_NE(p.out.find("agents"), std::string::npos);
}

}  // namespace
}  // namespace tfzo::cli
