#ifndef TFZO_CLI_INVOCATION_H_
#define TFZO_CLI_INVOCATION_H_

#include <optional>
#include <string>
#include <vector>

#include "cli/settings.h"

namespace tfzo::cli {

// The commands of docs/spec/CLI.md.
enum class Command {
  kNone,  // no command given: print the help
  kSetApiKey,
  kSetApiHost,
  kConfig,
  kAuthStatus,  // also `whoami`
  kOrgs,
  kAgentsList,
  kAgentsCreate,
  kAgentsRm,
  kHostsList,
  kHostsCreate,
  kHostsRm,
  kInit,
  kScan,
  kScanInstallHook,
};

// One parsed command line: the command and its arguments. Fields a command does not take stay
// empty. Value type.
struct Invocation {
  Command command = Command::kNone;
  GlobalOptions global;
  std::optional<std::string> org;         // --org ORG
  std::string name;                       // NAME of agents/hosts create; ID of rm
  std::optional<std::string> agent_host;  // agents create --host HOST
  std::string address;                    // hosts create --address ADDR
  std::optional<std::string> key_arg;     // set api_key [KEY | -]
  std::string url;                        // set api_host URL
  std::optional<std::string> init_name;   // init --name NAME
  std::vector<std::string> paths;         // scan [PATH...]
  bool staged = false;                    // scan --staged
};

// The outcome of parsing: an Invocation to run, or text to print and an exit code (help,
// version, or a usage error with the usage line).
struct ParsedArgs {
  std::optional<Invocation> invocation;
  int exit_code = 0;
  std::string out;  // for stdout (help, version)
  std::string err;  // for stderr (usage errors)
};

// Parses argv with CLI11. Never exits the process and never prints.
ParsedArgs ParseArguments(int argc, const char* const* argv);
ParsedArgs ParseArguments(const std::vector<std::string>& args);  // args without argv[0]

// The usage line of a command, e.g. "2501 agents create NAME [--org ORG] [--host HOST]".
std::string UsageOf(Command command);

}  // namespace tfzo::cli

#endif  // TFZO_CLI_INVOCATION_H_
