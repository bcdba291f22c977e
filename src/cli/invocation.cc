#include "cli/invocation.h"

#include <CLI/CLI.hpp>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>

namespace tfzo::cli {
namespace {

constexpr char kVersion[] = "2501 0.1.0";

constexpr char kGlobalFooter[] =
    "Global options (before or after the command): --profile NAME (env TFZO_PROFILE), --host URL\n"
    "(env TFZO_API_HOST), --json, -v. Env TFZO_API_KEY overrides the stored key.\n"
    "Precedence: flag > environment > config file > default. Exit codes: 0 ok, 1 error,\n"
    "2 usage, 3 authentication failed, 4 forbidden, 5 server unreachable.";

// CLI11's help, with our usage lines (docs/spec/CLI.md's notation) instead of generated ones.
class UsageFormatter : public CLI::Formatter {
 public:
  void SetUsage(const CLI::App* app, std::string usage) { usages_[app] = std::move(usage); }
  const std::string* UsageFor(const CLI::App* app) const {
    auto it = usages_.find(app);
    return it == usages_.end() ? nullptr : &it->second;
  }
  std::string make_usage(const CLI::App* app, std::string name) const override {
    if (const std::string* u = UsageFor(app)) return "Usage: " + *u + "\n";
    return CLI::Formatter::make_usage(app, std::move(name));
  }

 private:
  std::map<const CLI::App*, std::string> usages_;
};

bool WantsJson(int argc, const char* const* argv) {
  for (int i = 1; i < argc; ++i) {
    if (std::string_view(argv[i]) == "--json") return true;
  }
  return false;
}

}  // namespace

std::string UsageOf(Command command) {
  switch (command) {
    case Command::kNone:
      return "2501 COMMAND [ARGS] [--profile NAME] [--host URL] [--json] [-v]";
    case Command::kSetApiKey:
      return "2501 set api_key [KEY | -]";
    case Command::kSetApiHost:
      return "2501 set api_host URL";
    case Command::kConfig:
      return "2501 config";
    case Command::kAuthStatus:
      return "2501 auth status";
    case Command::kOrgs:
      return "2501 orgs";
    case Command::kAgentsList:
      return "2501 agents [list] [--org ORG]";
    case Command::kAgentsCreate:
      return "2501 agents create NAME [--org ORG] [--host HOST]";
    case Command::kAgentsRm:
      return "2501 agents rm ID [--org ORG]";
    case Command::kHostsList:
      return "2501 hosts [list] [--org ORG]";
    case Command::kHostsCreate:
      return "2501 hosts create NAME --address ADDR [--org ORG]";
    case Command::kHostsRm:
      return "2501 hosts rm ID [--org ORG]";
    case Command::kInit:
      return "2501 init [--name NAME] [--org ORG]";
    case Command::kScan:
      return "2501 scan [PATH...] [--staged]";
    case Command::kScanInstallHook:
      return "2501 scan --install-hook";
  }
  return "2501";
}

ParsedArgs ParseArguments(const std::vector<std::string>& args) {
  std::vector<const char*> argv = {"2501"};
  for (const auto& a : args) argv.push_back(a.c_str());
  return ParseArguments(static_cast<int>(argv.size()), argv.data());
}

ParsedArgs ParseArguments(int argc, const char* const* argv) {
  Invocation inv;
  auto formatter = std::make_shared<UsageFormatter>();
  CLI::App app(
      "2501: the command-line client of 2501 Accounts. Store an API key once, then reach your\n"
      "organizations' agents and hosts; `2501 scan` keeps keys out of git.",
      "2501");
  app.formatter(formatter);
  formatter->SetUsage(&app, UsageOf(Command::kNone));
  app.footer(kGlobalFooter);
  app.set_version_flag("--version", kVersion);
  app.require_subcommand(0, 1);
  app.add_option_function<std::string>(
         "--profile", [&](const std::string& v) { inv.global.profile = v; },
         "Profile to use (env TFZO_PROFILE, default \"default\")")
      ->type_name("NAME");
  app.add_option_function<std::string>(
         "--host", [&](const std::string& v) { inv.global.host = v; },
         "Accounts server URL (env TFZO_API_HOST, default http://127.0.0.1:8080)")
      ->type_name("URL");
  app.add_option_function<std::string>(
         "--cacert", [&](const std::string& v) { inv.global.cacert = v; },
         "PEM file of the CA that signed the server's certificate (a private CA); the system's "
         "CAs otherwise (env TFZO_CACERT)")
      ->type_name("FILE");
  app.add_flag("--json", inv.global.json,
               "Machine-readable output on stdout (the server's JSON answer; errors as "
               "{\"error\": {...}})");
  app.add_flag("-v,--verbose", inv.global.verbose,
               "Show HTTP requests and answers on stderr (never the key)");

  std::map<const CLI::App*, Command> commands;
  auto leaf = [&](CLI::App* parent, const std::string& name, const std::string& description,
                  Command command) {
    CLI::App* sub = parent->add_subcommand(name, description);
    sub->fallthrough();
    commands[sub] = command;
    formatter->SetUsage(sub, UsageOf(command));
    return sub;
  };
  auto org_option = [&](CLI::App* sub) {
    sub->add_option_function<std::string>(
           "--org", [&](const std::string& v) { inv.org = v; },
           "Organization id or exact name (default: the key's organization, or your only one)")
        ->type_name("ORG");
  };

  // set
  CLI::App* set = app.add_subcommand("set", "Store a setting in the active profile");
  set->fallthrough();
  set->require_subcommand(1);
  formatter->SetUsage(set, "2501 set api_key [KEY | -] | 2501 set api_host URL");
  CLI::App* set_key = leaf(set, "api_key",
                           "Store the API key. No KEY: prompt with echo off. `-`: read one line "
                           "from stdin (keeps the key out of shell history)",
                           Command::kSetApiKey);
  set_key
      ->add_option_function<std::string>(
          "KEY", [&](const std::string& v) { inv.key_arg = v; },
          "The key, or - to read it from stdin (prefer - or the prompt: a KEY argument lands in "
          "your shell history)")
      ->type_name("");
  CLI::App* set_host =
      leaf(set, "api_host", "Store the accounts server URL for the profile", Command::kSetApiHost);
  set_host->add_option("URL", inv.url, "http:// or https:// URL of the accounts server")
      ->required()
      ->type_name("");

  leaf(&app, "config",
       "Print the configuration, where each value comes from, and whether the config file's "
       "permissions are safe (offline; shows the key's hint, never the key)",
       Command::kConfig);

  // auth status / whoami
  CLI::App* auth = app.add_subcommand("auth", "Authentication");
  auth->fallthrough();
  auth->require_subcommand(1);
  formatter->SetUsage(auth, UsageOf(Command::kAuthStatus));
  const char* status_help =
      "Verify the key with the server: account, key, scope, expiration, last use, "
      "organizations";
  leaf(auth, "status", status_help, Command::kAuthStatus);
  leaf(&app, "whoami", status_help, Command::kAuthStatus);

  leaf(&app, "orgs", "Organizations reachable with this key", Command::kOrgs);

  // agents and hosts
  for (bool agents : {true, false}) {
    const std::string noun = agents ? "agents" : "hosts";
    CLI::App* group = leaf(&app, noun, "The organization's " + noun + " (default: list)",
                           agents ? Command::kAgentsList : Command::kHostsList);
    group->require_subcommand(0, 1);
    org_option(group);
    CLI::App* list = leaf(group, "list", "List the organization's " + noun,
                          agents ? Command::kAgentsList : Command::kHostsList);
    org_option(list);
    CLI::App* create = leaf(group, "create", agents ? "Create an agent" : "Register a host",
                            agents ? Command::kAgentsCreate : Command::kHostsCreate);
    create->add_option("NAME", inv.name, agents ? "Agent name" : "Host name")
        ->required()
        ->type_name("");
    org_option(create);
    if (agents) {
      create
          ->add_option_function<std::string>(
              "--host", [&](const std::string& v) { inv.agent_host = v; },
              "Host (id or exact name) the agent runs on. The global --host URL must then come "
              "before the command")
          ->type_name("HOST");
    } else {
      create->add_option("--address", inv.address, "Host address (name or IP)")
          ->required()
          ->type_name("ADDR");
    }
    CLI::App* rm = leaf(group, "rm", agents ? "Delete an agent" : "Delete a host",
                        agents ? Command::kAgentsRm : Command::kHostsRm);
    rm->add_option("ID", inv.name, agents ? "Agent id" : "Host id")->required()->type_name("");
    org_option(rm);
  }

  CLI::App* init = leaf(&app, "init",
                        "Create an agent for the current directory (workspace) and remember it "
                        "in the config",
                        Command::kInit);
  init->add_option_function<std::string>(
          "--name", [&](const std::string& v) { inv.init_name = v; },
          "Agent name (default: the directory's name)")
      ->type_name("NAME");
  org_option(init);

  CLI::App* scan =
      leaf(&app, "scan", "Find 2501 API keys (valid checksum) in files; exit 1 when any is found",
           Command::kScan);
  formatter->SetUsage(scan, "2501 scan [PATH...] [--staged] | 2501 scan --install-hook");
  CLI::Option* paths = scan->add_option(
      "PATH", inv.paths,
      "Files or directories (default: the current directory; inside a git work tree, "
      ".gitignore'd files are skipped)");
  paths->type_name("");
  CLI::Option* staged =
      scan->add_flag("--staged", inv.staged, "Scan what the next commit adds (git index)");
  bool install_hook = false;
  CLI::Option* hook = scan->add_flag(
      "--install-hook", install_hook,
      "Install a git pre-commit hook that runs `2501 scan --staged` and blocks a commit that "
      "adds a key");
  hook->excludes(paths)->excludes(staged);
  staged->excludes(paths);

  ParsedArgs parsed;
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    std::ostringstream out, err;
    if (e.get_exit_code() == 0) {  // --help, --version
      app.exit(e, out, err);
      parsed.out = out.str();
      parsed.err = err.str();
      parsed.exit_code = 0;
      return parsed;
    }
    const CLI::App* deepest = &app;
    while (!deepest->get_subcommands().empty()) deepest = deepest->get_subcommands().front();
    const std::string* usage = formatter->UsageFor(deepest);
    std::string where = deepest == &app ? "" : " " + deepest->get_name();
    for (const CLI::App* p = deepest->get_parent(); p != nullptr && p != &app;
         p = p->get_parent()) {
      where = " " + p->get_name() + where;
    }
    err << "2501: " << e.what() << "\n";
    err << "Usage: " << (usage ? *usage : UsageOf(Command::kNone)) << "\n";
    err << "Run `2501" << where << " --help` for more.\n";
    if (WantsJson(argc, argv)) {
      nlohmann::json body = {{"error", {{"code", "usage"}, {"message", e.what()}}}};
      parsed.out = body.dump() + "\n";
    }
    parsed.err = err.str();
    parsed.exit_code = 2;
    return parsed;
  }

  const CLI::App* deepest = &app;
  while (!deepest->get_subcommands().empty()) deepest = deepest->get_subcommands().front();
  if (deepest == &app) {
    parsed.out = app.help();
    parsed.exit_code = 0;
    return parsed;
  }
  auto it = commands.find(deepest);
  inv.command = it == commands.end() ? Command::kNone : it->second;
  if (inv.command == Command::kScan && install_hook) inv.command = Command::kScanInstallHook;
  parsed.invocation = std::move(inv);
  return parsed;
}

}  // namespace tfzo::cli
