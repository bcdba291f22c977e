#ifndef TFZO_CLI_SUBPROCESS_H_
#define TFZO_CLI_SUBPROCESS_H_

#include <string>
#include <vector>

#include "core/result.h"

namespace tfzo::cli {

// What a finished child process wrote and how it ended.
struct ProcessResult {
  int exit_code = -1;  // -1 when killed by a signal
  std::string out;
  std::string err;
};

// Runs argv[0] (found on PATH) in `cwd` and waits for it, capturing stdout and stderr. The
// child's environment is ours minus TFZO_API_KEY: a key never reaches a child process, neither
// its command line nor its environment. A program that cannot be started is kNotFound.
Result<ProcessResult> RunProcess(const std::vector<std::string>& argv, const std::string& cwd);

}  // namespace tfzo::cli

#endif  // TFZO_CLI_SUBPROCESS_H_
