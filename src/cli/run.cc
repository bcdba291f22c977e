#include "cli/run.h"

#include "cli/commands.h"
#include "cli/invocation.h"
#include "cli/session.h"

namespace tfzo::cli {
namespace {

CliResult<ExitCode> Dispatch(Session& session, std::istream& in) {
  CliStatus status;
  switch (session.invocation().command) {
    case Command::kNone:
      return ExitCode::kOk;
    case Command::kScan:
      return Scan(session);
    case Command::kScanInstallHook:
      status = InstallHook(session);
      break;
    case Command::kSetApiKey:
      status = SetApiKey(session, in);
      break;
    case Command::kSetApiHost:
      status = SetApiHost(session);
      break;
    case Command::kConfig:
      status = ShowConfig(session);
      break;
    case Command::kAuthStatus:
      status = AuthStatus(session);
      break;
    case Command::kOrgs:
      status = ListOrgs(session);
      break;
    case Command::kAgentsList:
      status = ListAgents(session);
      break;
    case Command::kAgentsCreate:
      status = CreateAgent(session);
      break;
    case Command::kAgentsRm:
      status = RemoveAgent(session);
      break;
    case Command::kHostsList:
      status = ListHosts(session);
      break;
    case Command::kHostsCreate:
      status = CreateHost(session);
      break;
    case Command::kHostsRm:
      status = RemoveHost(session);
      break;
    case Command::kInit:
      status = InitWorkspace(session);
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

  Session session(std::move(*parsed.invocation), env, out, err, clock);
  CliStatus loaded = session.Load();
  if (loaded && NeedsConfig(session.invocation().command)) {
    session.PrintError(*loaded);
    return static_cast<int>(loaded->exit_code());
  }
  CliResult<ExitCode> result = Dispatch(session, in);
  if (!result.ok()) {
    session.PrintError(result.error());
    return static_cast<int>(result.error().exit_code());
  }
  return static_cast<int>(*result);
}

}  // namespace tfzo::cli
