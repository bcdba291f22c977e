#ifndef TFZO_CLI_INVOCATION_H_
#define TFZO_CLI_INVOCATION_H_

#include <optional>
#include <string>
#include <vector>

#include "cli/settings.h"

namespace tfzo::cli {

struct Command;

// One parsed command line: the command (a row of Commands()) and its arguments. Fields a
// command does not take stay empty. Value type.
struct Invocation {
  const Command* command = nullptr;
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
  bool install_hook = false;              // scan --install-hook
  bool revoke = false;                    // scan --revoke
  bool yes = false;                       // scan --revoke --yes
  bool web = false;                       // login --web
  bool keep_key = false;                  // logout --keep-key
};

// The outcome of parsing: an Invocation to run, or text to print and an exit code (help,
// version, or a usage error with the usage line).
struct ParsedArgs {
  std::optional<Invocation> invocation;
  int exit_code = 0;
  std::string out;  // for stdout (help, version)
  std::string err;  // for stderr (usage errors)
};

// Parses argv with CLI11, the subcommands and their arguments made from Commands(). Never exits
// the process and never prints.
ParsedArgs ParseArguments(int argc, const char* const* argv);
ParsedArgs ParseArguments(const std::vector<std::string>& args);  // args without argv[0]

}  // namespace tfzo::cli

#endif  // TFZO_CLI_INVOCATION_H_
