#ifndef TFZO_CLI_COMMANDS_H_
#define TFZO_CLI_COMMANDS_H_

#include <istream>

#include "cli/cli_error.h"
#include "cli/session.h"

namespace tfzo::cli {

// The commands of docs/spec/CLI.md, one function each, all on a loaded Session. Each prints its
// result (text, or the server's JSON under --json) and returns the error that stopped it.

// config_commands.cc: the local ones, which work offline.
CliStatus SetApiKey(Session& session, std::istream& in);
CliStatus SetApiHost(Session& session);
CliStatus ShowConfig(Session& session);

// api_commands.cc: the ones that call the server.
CliStatus AuthStatus(Session& session);
CliStatus ListOrgs(Session& session);
CliStatus ListAgents(Session& session);
CliStatus CreateAgent(Session& session);
CliStatus RemoveAgent(Session& session);
CliStatus ListHosts(Session& session);
CliStatus CreateHost(Session& session);
CliStatus RemoveHost(Session& session);
CliStatus InitWorkspace(Session& session);

// scan_command.cc: exit 0 (no key), 1 (keys found) or an error.
CliResult<ExitCode> Scan(Session& session);
CliStatus InstallHook(Session& session);

}  // namespace tfzo::cli

#endif  // TFZO_CLI_COMMANDS_H_
