#include "cli/run.h"

#include "cli/command_context.h"
#include "cli/commands.h"
#include "cli/invocation.h"

namespace tfzo::cli {
namespace {

CliResult<ExitCode> Dispatch(CommandContext& context, std::istream& in) {
  CliStatus status;
  switch (context.invocation().command) {
    case Command::kNone:
      return ExitCode::kOk;
    case Command::kScan:
      return Scan(context);
    case Command::kScanInstallHook:
      status = InstallHook(context);
      break;
    case Command::kSetApiKey:
      status = SetApiKey(context, in);
      break;
    case Command::kSetApiHost:
      status = SetApiHost(context);
      break;
    case Command::kConfig:
      status = ShowConfig(context);
      break;
    case Command::kAuthStatus:
      status = AuthStatus(context);
      break;
    case Command::kOrgs:
      status = ListOrgs(context);
      break;
    case Command::kAgentsList:
      status = ListAgents(context);
      break;
    case Command::kAgentsCreate:
      status = CreateAgent(context);
      break;
    case Command::kAgentsRm:
      status = RemoveAgent(context);
      break;
    case Command::kHostsList:
      status = ListHosts(context);
      break;
    case Command::kHostsCreate:
      status = CreateHost(context);
      break;
    case Command::kHostsRm:
      status = RemoveHost(context);
      break;
    case Command::kInit:
      status = InitWorkspace(context);
      break;
  }
  if (status) return *status;
  return ExitCode::kOk;
}

bool NeedsConfig(Command command) {
  return command != Command::kScan && command != Command::kScanInstallHook;
}

}  // namespace

int Run(int argc, const char* const* argv, std::istream& in, std::ostream& out, std::ostream& err,
        const EnvLookup& env, const Clock& clock) {
  ParsedArgs parsed = ParseArguments(argc, argv);
  out << parsed.out;
  err << parsed.err;
  if (!parsed.invocation) return parsed.exit_code;

  CommandContext context(std::move(*parsed.invocation), env, out, err, clock);
  CliStatus loaded = context.Load();
  if (loaded && NeedsConfig(context.invocation().command)) {
    context.PrintError(*loaded);
    return static_cast<int>(loaded->exit_code());
  }
  CliResult<ExitCode> result = Dispatch(context, in);
  if (!result.ok()) {
    context.PrintError(result.error());
    return static_cast<int>(result.error().exit_code());
  }
  return static_cast<int>(*result);
}

}  // namespace tfzo::cli
