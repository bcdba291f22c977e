#ifndef TFZO_CLI_COMMANDS_H_
#define TFZO_CLI_COMMANDS_H_

#include "cli/cli_error.h"
#include "cli/command_context.h"
#include "core/result.h"

namespace tfzo::cli {

// The handlers of the command table (command_table.cc), one per command of docs/spec/CLI.md.
// Each prints its result (text, or the server's JSON under --json) and returns the exit code,
// or the Status of CommandContext::Fail() when it fails.

// config_commands.cc: the local ones, which work offline.
Result<ExitCode> SetApiKey(CommandContext& context);
Result<ExitCode> SetApiHost(CommandContext& context);
Result<ExitCode> ShowConfig(CommandContext& context);

// api_commands.cc: the ones that call the server.
Result<ExitCode> AuthStatus(CommandContext& context);
Result<ExitCode> ListOrgs(CommandContext& context);
Result<ExitCode> ListAgents(CommandContext& context);
Result<ExitCode> CreateAgent(CommandContext& context);
Result<ExitCode> RemoveAgent(CommandContext& context);
Result<ExitCode> ListHosts(CommandContext& context);
Result<ExitCode> CreateHost(CommandContext& context);
Result<ExitCode> RemoveHost(CommandContext& context);
Result<ExitCode> InitWorkspace(CommandContext& context);

// login_command.cc: the device authorization flow, and forgetting (and revoking) the key.
Result<ExitCode> Login(CommandContext& context);
Result<ExitCode> Logout(CommandContext& context);

// scan_command.cc: exit 0 (no key) or 1 (keys found); `scan --install-hook` too.
Result<ExitCode> Scan(CommandContext& context);

// completion.cc: `completion bash|zsh|fish` prints the shell's completion script.
Result<ExitCode> Completion(CommandContext& context);

}  // namespace tfzo::cli

#endif  // TFZO_CLI_COMMANDS_H_
