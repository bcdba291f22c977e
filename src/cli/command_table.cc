#include "cli/command_table.h"

#include "cli/commands.h"

namespace tfzo::cli {
namespace {

// Arguments several commands take.
const Arg kOrg{"--org", "ORG",
               "Organization handle or id (default: the key's organization, or your only one)",
               &Invocation::org};

constexpr std::string_view kAuthStatusUsage = "2501 auth status";
constexpr std::string_view kAuthStatusHelp =
    "Verify the key with the server: account, key, scope, expiration, last use, organizations";

}  // namespace

const std::vector<Command>& Commands() {
  static const std::vector<Command> kCommands = {
      {.name = "set",
       .usage = {"2501 set api_key [KEY | -]", "2501 set api_host URL"},
       .help = "Store a setting in the active profile"},
      {.name = "set api_key",
       .usage = {"2501 set api_key [KEY | -]"},
       .help = "Store the API key. No KEY: prompt with echo off. `-`: read one line from stdin "
               "(keeps the key out of shell history)",
       .args = {{"KEY", "",
                 "The key, or - to read it from stdin (prefer - or the prompt: a KEY argument "
                 "lands in your shell history)",
                 &Invocation::key_arg}},
       .handler = SetApiKey},
      {.name = "set api_host",
       .usage = {"2501 set api_host URL"},
       .help = "Store the accounts server URL for the profile",
       .args = {{"URL", "", "http:// or https:// URL of the accounts server", &Invocation::url,
                 true}},
       .handler = SetApiHost},
      {.name = "config",
       .usage = {"2501 config"},
       .help = "Print the configuration, where each value comes from, and whether the config "
               "file's permissions are safe (offline; shows the key's hint, never the key)",
       .handler = ShowConfig},
      {.name = "auth", .usage = {kAuthStatusUsage}, .help = "Authentication"},
      {.name = "auth status",
       .usage = {kAuthStatusUsage},
       .help = kAuthStatusHelp,
       .handler = AuthStatus},
      {.name = "whoami",
       .usage = {kAuthStatusUsage},
       .help = kAuthStatusHelp,
       .runs = "auth status"},
      {.name = "login",
       .usage = {"2501 login [--host URL] [--profile P] [--org ORG] [--web]"},
       .help = "Get a key by approving this device in the Accounts interface (a code to check in "
               "the browser), and store it with the host in the profile",
       .args = {{"--org", "ORG",
                 "Organization (handle or id) to scope the key to: named on the page (choose it "
                 "there), and checked once the key is stored",
                 &Invocation::org},
                {"--web", "", "Open the page in a browser (xdg-open or sensible-browser)",
                 &Invocation::web}},
       .handler = Login},
      {.name = "logout",
       .usage = {"2501 logout [--profile P] [--keep-key]"},
       .help = "Revoke the profile's key on the server and remove it from the config file",
       .args = {{"--keep-key", "",
                 "Only remove the key from the config file; it stays valid on the server",
                 &Invocation::keep_key}},
       .handler = Logout},
      {.name = "orgs",
       .usage = {"2501 orgs"},
       .help = "Organizations reachable with this key",
       .handler = ListOrgs},

      {.name = "agents",
       .usage = {"2501 agents [list] [--org ORG]"},
       .help = "The organization's agents (default: list)",
       .args = {kOrg},
       .runs = "agents list"},
      {.name = "agents list",
       .usage = {"2501 agents [list] [--org ORG]"},
       .help = "List the organization's agents",
       .args = {kOrg},
       .handler = ListAgents},
      {.name = "agents create",
       .usage = {"2501 agents create NAME [--org ORG] [--host HOST]"},
       .help = "Create an agent",
       .args = {{"NAME", "", "Agent name", &Invocation::name, true},
                kOrg,
                {"--host", "HOST",
                 "Host (id or exact name) the agent runs on. The global --host URL must then "
                 "come before the command",
                 &Invocation::agent_host}},
       .handler = CreateAgent},
      {.name = "agents rm",
       .usage = {"2501 agents rm ID [--org ORG]"},
       .help = "Delete an agent",
       .args = {{"ID", "", "Agent id", &Invocation::name, true}, kOrg},
       .handler = RemoveAgent},

      {.name = "hosts",
       .usage = {"2501 hosts [list] [--org ORG]"},
       .help = "The organization's hosts (default: list)",
       .args = {kOrg},
       .runs = "hosts list"},
      {.name = "hosts list",
       .usage = {"2501 hosts [list] [--org ORG]"},
       .help = "List the organization's hosts",
       .args = {kOrg},
       .handler = ListHosts},
      {.name = "hosts create",
       .usage = {"2501 hosts create NAME --address ADDR [--org ORG]"},
       .help = "Register a host",
       .args = {{"NAME", "", "Host name", &Invocation::name, true},
                kOrg,
                {"--address", "ADDR", "Host address (name or IP)", &Invocation::address, true}},
       .handler = CreateHost},
      {.name = "hosts rm",
       .usage = {"2501 hosts rm ID [--org ORG]"},
       .help = "Delete a host",
       .args = {{"ID", "", "Host id", &Invocation::name, true}, kOrg},
       .handler = RemoveHost},

      {.name = "init",
       .usage = {"2501 init [--name NAME] [--org ORG]"},
       .help = "Create an agent for the current directory (workspace) and remember it in the "
               "config",
       .args = {{"--name", "NAME", "Agent name (default: the directory's name)",
                 &Invocation::init_name},
                kOrg},
       .handler = InitWorkspace},
      {.name = "scan",
       .usage = {"2501 scan [PATH...] [--staged]", "2501 scan [PATH...] --revoke [--yes]",
                 "2501 scan --install-hook"},
       .help = "Find 2501 API keys (valid checksum) in files; exit 1 when any is found",
       .args = {{"PATH", "",
                 "Files or directories (default: the current directory; inside a git work "
                 "tree, .gitignore'd files are skipped)",
                 &Invocation::paths},
                {"--staged",
                 "",
                 "Scan what the next commit adds (git index)",
                 &Invocation::staged,
                 false,
                 {"PATH"}},
                {"--install-hook",
                 "",
                 "Install a git pre-commit hook that runs `2501 scan --staged` and blocks a "
                 "commit that adds a key",
                 &Invocation::install_hook,
                 false,
                 {"PATH", "--staged"}},
                {"--revoke",
                 "",
                 "Report the keys found to the profile's server (or --host) as exposed: every "
                 "live one is revoked at once and its owner told. Asks first",
                 &Invocation::revoke,
                 false,
                 {"--staged", "--install-hook"}},
                {"--yes",
                 "",
                 "With --revoke: report without asking",
                 &Invocation::yes,
                 false,
                 {"--staged", "--install-hook"}}},
       .handler = Scan,
       .reads_config = false},
      {.name = "completion",
       .usage = {"2501 completion bash|zsh|fish"},
       .help = "Print the shell completion script (e.g. `source <(2501 completion bash)`)",
       .args = {{"SHELL", "", "bash, zsh or fish", &Invocation::name, true}},
       .handler = Completion,
       .reads_config = false},
  };
  return kCommands;
}

const Command* FindCommand(std::string_view name) {
  for (const Command& command : Commands()) {
    if (command.name == name) return &command;
  }
  return nullptr;
}

}  // namespace tfzo::cli
