#ifndef TFZO_CLI_COMMAND_TABLE_H_
#define TFZO_CLI_COMMAND_TABLE_H_

#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "cli/cli_error.h"
#include "cli/invocation.h"
#include "core/result.h"

namespace tfzo::cli {

class CommandContext;

// One argument of a command: a positional ("NAME", "PATH") or an option ("--org"), and the
// Invocation field it fills. The field's type says how it parses: a string (one value), an
// optional string (one value, may be absent), a list of strings (the remaining positionals) or
// a bool (a flag). Value type.
struct Arg {
  using Field = std::variant<std::string Invocation::*, std::optional<std::string> Invocation::*,
                             std::vector<std::string> Invocation::*, bool Invocation::*>;

  std::string_view name;       // "NAME" or "--org"
  std::string_view type_name;  // the value's name in the help ("ORG"); empty for positionals
  std::string_view help;
  Field field;
  bool required = false;
  std::vector<std::string_view> excludes = {};  // the names of arguments it cannot go with
};

// A command runs on its context, prints its result, and returns the exit code (0, or 1 for
// `scan` finding keys) or the Status of CommandContext::Fail().
using Handler = Result<ExitCode> (*)(CommandContext& context);

// One row of the command table: the words that select it, its usage lines and help, its
// arguments and what runs it. A row with neither `handler` nor `runs` is a group that needs one
// of its subcommands (`set`). Value type.
struct Command {
  std::string_view name;                // "agents create": its words after `2501`
  std::vector<std::string_view> usage;  // docs/spec/CLI.md's notation; errors quote the first
  std::string_view help;
  std::vector<Arg> args = {};
  Handler handler = nullptr;
  std::string_view runs = "";  // instead of a handler: the command it stands for ("whoami")
  bool reads_config = true;    // false: runs without the config file and settings (`scan`)
};

// The commands of docs/spec/CLI.md, each after its group ("agents" before "agents create").
const std::vector<Command>& Commands();

// The row named `name` ("agents list"), or null.
const Command* FindCommand(std::string_view name);

}  // namespace tfzo::cli

#endif  // TFZO_CLI_COMMAND_TABLE_H_
