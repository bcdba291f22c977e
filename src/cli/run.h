#ifndef TFZO_CLI_RUN_H_
#define TFZO_CLI_RUN_H_

#include <istream>
#include <ostream>

#include "cli/env.h"
#include "core/time.h"

namespace tfzo::cli {

// One run of `2501`: parses argv, runs the command, prints its output and errors, and returns
// the exit code of docs/spec/CLI.md. Everything it touches is passed in, so tests can run it.
int Run(int argc, const char* const* argv, std::istream& in, std::ostream& out, std::ostream& err,
        const EnvLookup& env, const Clock& clock);

}  // namespace tfzo::cli

#endif  // TFZO_CLI_RUN_H_
