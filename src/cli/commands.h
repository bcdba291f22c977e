#ifndef TFZO_CLI_COMMANDS_H_
#define TFZO_CLI_COMMANDS_H_

#include <istream>

#include "cli/cli_error.h"
#include "cli/command_context.h"

namespace tfzo::cli {

// The commands of docs/spec/CLI.md, one function each, all on a loaded CommandContext. Each prints
// its result (text, or the server's JSON under --json) and returns the error that stopped it.

// config_commands.cc: the local ones, which work offline.
CliStatus SetApiKey(CommandContext& context, std::istream& in);
CliStatus SetApiHost(CommandContext& context);
CliStatus ShowConfig(CommandContext& context);

// api_commands.cc: the ones that call the server.
CliStatus AuthStatus(CommandContext& context);
CliStatus ListOrgs(CommandContext& context);
CliStatus ListAgents(CommandContext& context);
CliStatus CreateAgent(CommandContext& context);
CliStatus RemoveAgent(CommandContext& context);
CliStatus ListHosts(CommandContext& context);
CliStatus CreateHost(CommandContext& context);
CliStatus RemoveHost(CommandContext& context);
CliStatus InitWorkspace(CommandContext& context);

// scan_command.cc: exit 0 (no key), 1 (keys found) or an error.
CliResult<ExitCode> Scan(CommandContext& context);
CliStatus InstallHook(CommandContext& context);

}  // namespace tfzo::cli

#endif  // TFZO_CLI_COMMANDS_H_
