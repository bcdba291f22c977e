#include "cli/run.h"

#include "cli/command_context.h"
#include "cli/command_table.h"
#include "cli/invocation.h"

namespace tfzo::cli {
namespace {

Result<ExitCode> RunCommand(CommandContext& context) {
  if (context.command().reads_config) RETURN_IF_ERROR(context.LoadConfig());
  return context.command().handler(context);
}

}  // namespace

int Run(int argc, const char* const* argv, std::istream& in, std::ostream& out, std::ostream& err,
        const EnvLookup& env, const Clock& clock) {
  ParsedArgs parsed = ParseArguments(argc, argv);
  out << parsed.out;
  err << parsed.err;
  if (!parsed.invocation) return parsed.exit_code;

  CommandContext context(std::move(*parsed.invocation), env, in, out, err, clock);
  Result<ExitCode> result = RunCommand(context);
  if (result.ok()) return static_cast<int>(*result);
  CliError error = context.FailureFor(result.status());
  context.PrintError(error);
  return static_cast<int>(error.exit_code());
}

}  // namespace tfzo::cli
