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

// The argument and environment arrays posix_spawn takes, owning their strings. The
// environment is ours minus TFZO_API_KEY: a key never reaches a child process, neither its
// command line nor its environment. Neither copied nor moved (the arrays point into it).
class SpawnArgs {
 public:
  explicit SpawnArgs(std::vector<std::string> argv);
  SpawnArgs(const SpawnArgs&) = delete;
  SpawnArgs& operator=(const SpawnArgs&) = delete;

  char* const* argv() const { return argp_.data(); }
  char* const* envp() const { return envp_.data(); }

 private:
  std::vector<std::string> args_;
  std::vector<std::string> env_;
  std::vector<char*> argp_;
  std::vector<char*> envp_;
};

// Runs argv[0] (found on PATH) in `cwd` and waits for it, capturing stdout and stderr. The
// child's environment is ours minus TFZO_API_KEY: a key never reaches a child process, neither
// its command line nor its environment. A program that cannot be started is kNotFound.
Result<ProcessResult> RunProcess(const std::vector<std::string>& argv, const std::string& cwd);

}  // namespace tfzo::cli

#endif  // TFZO_CLI_SUBPROCESS_H_
